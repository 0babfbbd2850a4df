using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;

namespace Hotline.Node.Hosting;

/// <summary>
/// The files of one node: identity key, link certificate, database, settings and API token.
/// Private material is written with mode 0600.
/// </summary>
public sealed class DataFolder
{
    public DataFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string ConfigFile => Combine("hotline.json");
    public string IdentityKeyFile => Combine("identity.key");
    public string CertificateFile => Combine("link.crt");
    public string CertificateKeyFile => Combine("link.key");
    public string DatabaseFile => Combine("hotline.db");
    public string TokenFile => Combine("api.token");
    /// <summary>Written by a running node: the address its operator API actually listens on.</summary>
    public string RuntimeFile => Combine("node.run.json");

    public bool IsInitialised => File.Exists(ConfigFile) || File.Exists(IdentityKeyFile);

    private string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates a new node. Refuses when the folder already holds one.</summary>
    public void Initialise(NodeConfig config)
    {
        if (IsInitialised)
        {
            throw new InvalidOperationException(
                $"{Path} already holds a Hotline node ({System.IO.Path.GetFileName(ConfigFile)} exists). Choose another --data folder; nothing was changed.");
        }
        Directory.CreateDirectory(Path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var identity = NodeIdentity.Create();
        WritePrivate(IdentityKeyFile, Convert.ToBase64String(identity.ExportPrivateBytes()) + "\n");

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=hotline-{identity.PublicKey.Id}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        WritePrivate(CertificateKeyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(CertificateFile, cert.ExportCertificatePem() + "\n");

        WritePrivate(TokenFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        // SQLite gives its -wal and -shm files the mode of the database file: owner-only for all three.
        WritePrivate(DatabaseFile, "");
        // The settings may hold webhook secrets: owner-only, like the keys.
        WritePrivate(ConfigFile, JsonSerializer.Serialize(config, NodeConfig.Json) + "\n");
    }

    public NodeConfig LoadConfig()
    {
        RequireInitialised();
        try
        {
            return JsonSerializer.Deserialize<NodeConfig>(File.ReadAllText(ConfigFile), NodeConfig.Json)
                ?? throw new InvalidDataException($"{ConfigFile} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{ConfigFile} is not valid: {e.Message}", e);
        }
    }

    public void SaveConfig(NodeConfig config) =>
        File.WriteAllText(ConfigFile, JsonSerializer.Serialize(config, NodeConfig.Json) + "\n");

    public NodeIdentity LoadIdentity()
    {
        RequireInitialised();
        return NodeIdentity.FromPrivateBytes(Convert.FromBase64String(File.ReadAllText(IdentityKeyFile).Trim()));
    }

    public X509Certificate2 LoadCertificate()
    {
        RequireInitialised();
        return X509Certificate2.CreateFromPemFile(CertificateFile, CertificateKeyFile);
    }

    public string LoadToken() => File.ReadAllText(TokenFile).Trim();

    public PairingCard CreateCard(NodeConfig config)
    {
        using var identity = LoadIdentity();
        using var cert = LoadCertificate();
        return PairingCard.Create(identity, config.Name, Pins.Sha256Hex(cert), config.Link.Advertise, config.Channels, DateTimeOffset.UtcNow,
            config.ParsedLabels().Select(l => l.ToString()).ToArray(), Hotline.Core.Catalog.MessageCatalog.DefaultVersion);
    }

    private void RequireInitialised()
    {
        if (!IsInitialised)
        {
            throw new InvalidOperationException($"{Path} holds no Hotline node. Run 'hotline init --name NAME --data {Path}' first.");
        }
    }

    private static void WritePrivate(string path, string content)
    {
        using (var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }
    }
}
