using Microsoft.Data.Sqlite;

namespace Hotline.Storage.Sqlite;

internal static class SqliteExtensions
{
    /// <summary>True when no transaction is open on the connection.</summary>
    public static bool AutoCommit(this SqliteConnection connection) =>
        SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;

    public static SqliteCommand Command(this SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public static int Execute(this SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var command = connection.Command(sql, args);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(this SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var command = connection.Command(sql, args);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
