namespace Hotline.Core.Catalog;

/// <summary>A catalog file that cannot be used; the message says where and what is wrong.</summary>
public sealed class CatalogException(string message, Exception? inner = null) : Exception(message, inner);
