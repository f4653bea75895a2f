using System.Formats.Tar;
using System.Text;

namespace MockSandbox.Tests.Support;

/// <summary>Small tar archives built in memory with System.Formats.Tar, entry by entry.</summary>
internal static class Tars
{
    public static byte[] Build(Action<TarWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(writer);
        }
        return stream.ToArray();
    }

    public static void File(this TarWriter writer, string name, string content) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    public static void Directory(this TarWriter writer, string name) => writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name));

    public static void Symlink(this TarWriter writer, string name, string target) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });

    public static void Hardlink(this TarWriter writer, string name, string target) =>
        writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });

    /// <summary>A device file (1:3, /dev/null's numbers) or a FIFO.</summary>
    public static void Special(this TarWriter writer, TarEntryType type, string name)
    {
        var entry = new PaxTarEntry(type, name);
        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            entry.DeviceMajor = 1;
            entry.DeviceMinor = 3;
        }
        writer.WriteEntry(entry);
    }
}
