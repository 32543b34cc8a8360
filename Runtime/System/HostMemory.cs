using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The physical memory of the host, the default of <see cref="SystemConfiguration.PhysicalMemoryBytes"/>.
/// </summary>
/// <remarks>
/// Asked of the operating system (Linux: MemTotal in /proc/meminfo; Windows: GlobalMemoryStatusEx;
/// macOS: the hw.memsize sysctl) because the GC's figure is the memory this process may use, which
/// a container or a GC heap limit lowers below the machine's RAM. The GC figure is only the fallback
/// when the OS does not answer, and 8 GiB when neither does. Read once per process.
/// </remarks>
internal static partial class HostMemory
{
    private const ulong Fallback = 8UL << 30;

    private static readonly Lazy<ulong> s_physical = new(Query);

    public static ulong PhysicalMemoryBytes => s_physical.Value;

    /// <summary>The MemTotal line of /proc/meminfo text in bytes, or 0 when there is none.</summary>
    internal static ulong ParseMemTotal(string meminfo)
    {
        foreach (string line in meminfo.Split('\n'))
        {
            if (!line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                continue;
            }

            // "MemTotal:       24683548 kB": the kernel always reports kibibytes.
            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            bool kib = fields.Length == 3 && fields[2] == "kB";
            return kib && ulong.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) && value <= ulong.MaxValue / 1024
                ? value * 1024
                : 0;
        }

        return 0;
    }

    private static ulong Query()
    {
        ulong physical = 0;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                physical = ParseMemTotal(File.ReadAllText("/proc/meminfo"));
            }
            else if (OperatingSystem.IsWindows())
            {
                physical = NativeMethods.WindowsTotalPhysical();
            }
            else if (OperatingSystem.IsMacOS())
            {
                physical = NativeMethods.MacOSMemSize();
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
        {
            // A sandbox may hide /proc or the native entry point; the GC's figure is the next best answer.
            physical = 0;
        }

        if (physical != 0)
        {
            return physical;
        }

        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? (ulong)available : Fallback;
    }

    private static partial class NativeMethods
    {
        public static ulong WindowsTotalPhysical()
        {
            var status = new MEMORYSTATUSEX { dwLength = (uint)Marshal.SizeOf<MEMORYSTATUSEX>() };
            return GlobalMemoryStatusEx(ref status) ? status.ullTotalPhys : 0;
        }

        public static unsafe ulong MacOSMemSize()
        {
            ulong size = 0;
            nuint length = sizeof(ulong);
            return sysctlbyname("hw.memsize", &size, &length, 0, 0) == 0 && length == sizeof(ulong) ? size : 0;
        }

        [LibraryImport("kernel32.dll", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static partial bool GlobalMemoryStatusEx(ref MEMORYSTATUSEX lpBuffer);

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static unsafe partial int sysctlbyname(string name, void* oldp, nuint* oldlenp, nint newp, nuint newlen);

        [StructLayout(LayoutKind.Sequential)]
        private struct MEMORYSTATUSEX
        {
            public uint dwLength;
            public uint dwMemoryLoad;
            public ulong ullTotalPhys;
            public ulong ullAvailPhys;
            public ulong ullTotalPageFile;
            public ulong ullAvailPageFile;
            public ulong ullTotalVirtual;
            public ulong ullAvailVirtual;
            public ulong ullAvailExtendedVirtual;
        }
    }
}
