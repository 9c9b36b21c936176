using System.Text;

namespace BatchScoring.Core.Drift.Sketches;

/// <summary>
/// A 64-bit hash that is the same in every process and on every machine (unlike
/// <see cref="string.GetHashCode()"/>): FNV-1a over the bytes, then the SplitMix64 finalizer so
/// that the low and high bits are both well mixed for bottom-k selection.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    public static ulong Start => FnvOffset;

    public static ulong Add(ulong state, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
            state = (state ^ b) * FnvPrime;
        return state;
    }

    public static ulong Add(ulong state, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BitConverter.TryWriteBytes(bytes, value);
        return Add(state, bytes);
    }

    public static ulong Add(ulong state, string value)
    {
        state = Add(state, (ulong)value.Length);
        return Add(state, Encoding.UTF8.GetBytes(value));
    }

    public static ulong Finish(ulong state)
    {
        state ^= state >> 30;
        state *= 0xbf58476d1ce4e5b9UL;
        state ^= state >> 27;
        state *= 0x94d049bb133111ebUL;
        state ^= state >> 31;
        return state;
    }

    public static ulong Of(string value) => Finish(Add(Start, value));
}
