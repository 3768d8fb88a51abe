using System;
using System.Collections.Generic;
using System.Threading;

namespace Peddler;

/// <summary>
/// The run-time carriers of one <c>{CarrierId}</c> client: an open-addressing table whose slots
/// hold, inline, what a cache hit needs (the carrier id, its cached token and refresh point), so
/// that a cached token for any of thousands of carriers is one read of one slot in a compact array.
/// </summary>
/// <remarks>
/// <para>
/// Readers take no lock. Every slot carries a version (a sequence lock): a writer makes it odd,
/// writes the fields, makes it even again; a reader that saw the same even version before and
/// after reading a slot has read one consistent state. A reader that sees a slot being written, or
/// a table replaced by a larger one, just misses and takes the slow path (the carrier's own
/// provider), which is always right. Writers (a new carrier, a carrier's token changing, eviction,
/// growth) hold <see cref="_lock"/>; they are rare: one per carrier and token lifetime.
/// </para>
/// <para>
/// A slot mirrors its carrier's cache entry: the provider calls <see cref="Publish"/> after every
/// change of its entry, and <see cref="Publish"/> copies the entry it reads under the lock, so the
/// last copy is always of the newest entry.
/// </para>
/// </remarks>
internal sealed class CarrierTable
{
    private const int Empty = 0;
    private const int Full = 1;
    private const int Removed = 2;

    private readonly object _lock = new();
    private Slot[] _slots = new Slot[16];
    private int _count;
    private int _used;

    /// <summary>Carriers kept now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// The cached token of <paramref name="carrierId"/> if the table holds one that is before its
    /// refresh point at <paramref name="nowTickCount"/> (<see cref="Environment.TickCount64"/>);
    /// <see langword="null"/> otherwise (not kept, no token, in its refresh window, or being written).
    /// </summary>
    public PeddlerAccessToken? TryGetFreshToken(string carrierId, long nowTickCount) =>
        TryRead(carrierId, nowTickCount, out PeddlerAccessToken? token, out long refreshAt, out _) && nowTickCount < refreshAt ? token : null;

    /// <summary>The provider of <paramref name="carrierId"/> if it is kept; <see langword="null"/> otherwise (or while its slot is written).</summary>
    public PeddlerTokenProvider? TryGetProvider(string carrierId, long nowTickCount) =>
        TryRead(carrierId, nowTickCount, out _, out _, out PeddlerTokenProvider? provider) ? provider : null;

    /// <summary>
    /// Reads <paramref name="carrierId"/>'s slot without a lock: <see langword="true"/> with one
    /// consistent state of it; <see langword="false"/> when it is not kept or a slot on its probe
    /// path is being written (the caller then takes the slow, always-right path).
    /// </summary>
    private bool TryRead(string carrierId, long nowTickCount, out PeddlerAccessToken? token, out long refreshAt, out PeddlerTokenProvider? provider)
    {
        Slot[] slots = Volatile.Read(ref _slots);
        int mask = slots.Length - 1;
        bool packed = Pack(carrierId, out ulong key0, out ulong key1);
        int hash = packed ? HashCode.Combine(key0, key1) : carrierId.GetHashCode();
        for (int i = hash & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            ref Slot slot = ref slots[i];
            int version = Volatile.Read(ref slot.Version);
            int state = Volatile.Read(ref slot.State);
            int slotHash = Volatile.Read(ref slot.Hash);
            ulong slotKey0 = Volatile.Read(ref slot.Key0);
            ulong slotKey1 = Volatile.Read(ref slot.Key1);
            string? key = Volatile.Read(ref slot.Key);
            token = Volatile.Read(ref slot.Token);
            refreshAt = Volatile.Read(ref slot.RefreshAtTickCount);
            provider = Volatile.Read(ref slot.Provider);
            if ((version & 1) != 0 || Volatile.Read(ref slot.Version) != version || state == Empty)
            {
                break;
            }

            if (state == Full && slotHash == hash
                && (packed ? slotKey0 == key0 && slotKey1 == key1 : SameKey(key, carrierId)))
            {
                Touch(ref slot, nowTickCount);
                return true;
            }
        }

        token = null;
        refreshAt = long.MinValue;
        provider = null;
        return false;
    }

    /// <summary>
    /// The provider of <paramref name="carrierId"/>, created with <paramref name="create"/> when it
    /// is not kept; when <paramref name="capacity"/> carriers are kept, <paramref name="makeRoom"/>
    /// runs first (under the lock, so it may call <see cref="Evict"/>).
    /// </summary>
    public PeddlerTokenProvider GetOrAdd(string carrierId, long nowTickCount, int capacity, Func<string, PeddlerTokenProvider> create, Action makeRoom)
    {
        lock (_lock)
        {
            int found = Find(_slots, carrierId);
            if (found >= 0 && _slots[found].Provider is { } existing)
            {
                Touch(ref _slots[found], nowTickCount);
                return existing;
            }

            if (_count >= capacity)
            {
                makeRoom();
            }

            PeddlerTokenProvider provider = create(carrierId);
            if ((_used + 1) * 4 > _slots.Length * 3)
            {
                // Over three quarters taken (tombstones included): a table twice the live carriers' need.
                Resize(Math.Max(16, (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((_count + 1) * 2)))));
            }

            Insert(_slots, carrierId, provider, nowTickCount);
            _count++;
            _used++;
            return provider;
        }
    }

    /// <summary>Copies <paramref name="carrier"/>'s current cache entry into its slot (if it is still kept).</summary>
    public void Publish(PeddlerTokenProvider carrier, bool coarseClock)
    {
        lock (_lock)
        {
            int index = carrier.CarrierSlot;
            if (index < 0)
            {
                return;
            }

            PeddlerTokenProvider.CacheEntry? entry = carrier.Current;
            ref Slot slot = ref _slots[index];
            BeginWrite(ref slot);
            Volatile.Write(ref slot.Token, entry?.Token);

            // Under a test TimeProvider the fast path is off: the provider judges with its clock.
            Volatile.Write(ref slot.RefreshAtTickCount, entry is not null && coarseClock ? entry.RefreshAtTickCount : long.MinValue);
            EndWrite(ref slot);
        }
    }

    /// <summary>
    /// Removes, under the lock, the carriers <paramref name="idle"/> says are idle (given the
    /// provider and its last use); then, if <paramref name="capacity"/> is positive and still
    /// reached, the least recently used tenth.
    /// </summary>
    public void Evict(Func<PeddlerTokenProvider, long, bool> idle, int capacity)
    {
        lock (_lock)
        {
            Slot[] slots = _slots;
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i].State == Full && idle(slots[i].Provider!, LastUse(ref slots[i])))
                {
                    Remove(slots, i);
                }
            }

            if (capacity <= 0 || _count < capacity)
            {
                return;
            }

            var live = new List<(long LastUse, int Index)>(_count);
            for (int i = 0; i < slots.Length; i++)
            {
                if (slots[i].State == Full)
                {
                    live.Add((LastUse(ref slots[i]), i));
                }
            }

            live.Sort(static (a, b) => a.LastUse.CompareTo(b.LastUse));
            for (int i = 0; i < Math.Max(1, live.Count / 10); i++)
            {
                Remove(slots, live[i].Index);
            }
        }
    }

    /// <summary>The providers kept now (a snapshot).</summary>
    public List<PeddlerTokenProvider> Providers()
    {
        lock (_lock)
        {
            var providers = new List<PeddlerTokenProvider>(_count);
            foreach (Slot slot in _slots)
            {
                if (slot.State == Full)
                {
                    providers.Add(slot.Provider!);
                }
            }

            return providers;
        }
    }

    /// <summary>When the carrier in <paramref name="slot"/> was last used: the later of its slot's hits and its provider's own calls.</summary>
    private static long LastUse(ref Slot slot) =>
        Math.Max(Volatile.Read(ref slot.LastUseTickCount), slot.Provider!.LastUseTickCount);

    /// <summary>Records a use at most once a second, so that lookups of a hot carrier do not keep writing its slot.</summary>
    private static void Touch(ref Slot slot, long nowTickCount)
    {
        if (nowTickCount - Volatile.Read(ref slot.LastUseTickCount) >= 1000)
        {
            Volatile.Write(ref slot.LastUseTickCount, nowTickCount);
        }
    }

    /// <summary>The index of <paramref name="carrierId"/>'s slot, or -1; under the lock only.</summary>
    private static int Find(Slot[] slots, string carrierId)
    {
        int mask = slots.Length - 1;
        int hash = Hash(carrierId);
        for (int i = hash & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            ref Slot slot = ref slots[i];
            if (slot.State == Empty)
            {
                return -1;
            }

            if (slot.State == Full && slot.Hash == hash && SameKey(slot.Key, carrierId))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The id's hash (seeded per process, as every .NET string hash): of its packed form when it has one.</summary>
    private static int Hash(string carrierId) =>
        Pack(carrierId, out ulong key0, out ulong key1) ? HashCode.Combine(key0, key1) : carrierId.GetHashCode();

    /// <summary>
    /// Packs an id of at most 16 ASCII characters into two numbers, so that a lookup compares it
    /// inline, without reading the stored string; scope tokens never hold a NUL, so zero padding
    /// is unambiguous. <see langword="false"/> (and zeros) for other ids, compared as strings.
    /// </summary>
    private static bool Pack(string id, out ulong key0, out ulong key1)
    {
        key0 = 0;
        key1 = 0;
        if (id.Length is 0 or > 16)
        {
            return false;
        }

        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (c is '\0' or > '\x7F')
            {
                key0 = 0;
                key1 = 0;
                return false;
            }

            if (i < 8)
            {
                key0 |= (ulong)c << (i * 8);
            }
            else
            {
                key1 |= (ulong)c << ((i - 8) * 8);
            }
        }

        return true;
    }

    private static bool SameKey(string? key, string carrierId) => ReferenceEquals(key, carrierId) || string.Equals(key, carrierId, StringComparison.Ordinal);

    private static void Insert(Slot[] slots, string carrierId, PeddlerTokenProvider provider, long lastUse)
    {
        int mask = slots.Length - 1;
        int hash = Hash(carrierId);
        int i = hash & mask;
        while (slots[i].State == Full)
        {
            i = (i + 1) & mask;
        }

        ref Slot slot = ref slots[i];
        BeginWrite(ref slot);
        Volatile.Write(ref slot.Hash, hash);
        Volatile.Write(ref slot.Key, carrierId);
        Pack(carrierId, out ulong key0, out ulong key1);
        Volatile.Write(ref slot.Key0, key0);
        Volatile.Write(ref slot.Key1, key1);
        Volatile.Write(ref slot.Provider, provider);
        Volatile.Write(ref slot.Token, null);
        Volatile.Write(ref slot.RefreshAtTickCount, long.MinValue);
        Volatile.Write(ref slot.LastUseTickCount, lastUse);
        Volatile.Write(ref slot.State, Full);
        EndWrite(ref slot);
        provider.CarrierSlot = i;
    }

    private void Remove(Slot[] slots, int index)
    {
        ref Slot slot = ref slots[index];
        slot.Provider!.CarrierSlot = -1;
        BeginWrite(ref slot);
        Volatile.Write(ref slot.State, Removed);
        Volatile.Write(ref slot.Key, null);
        Volatile.Write(ref slot.Key0, 0UL);
        Volatile.Write(ref slot.Key1, 0UL);
        Volatile.Write(ref slot.Provider, null);
        Volatile.Write(ref slot.Token, null);
        Volatile.Write(ref slot.RefreshAtTickCount, long.MinValue);
        EndWrite(ref slot);
        _count--;
    }

    /// <summary>Moves the live carriers to a new table of <paramref name="length"/> slots; readers of the old one miss from now on.</summary>
    private void Resize(int length)
    {
        Slot[] old = _slots;
        var slots = new Slot[length];
        for (int i = 0; i < old.Length; i++)
        {
            ref Slot from = ref old[i];
            if (from.State == Full)
            {
                Insert(slots, from.Key!, from.Provider!, from.LastUseTickCount);
                int to = from.Provider!.CarrierSlot;
                slots[to].Token = from.Token;
                slots[to].RefreshAtTickCount = from.RefreshAtTickCount;
            }
        }

        Volatile.Write(ref _slots, slots);
        _used = _count;

        // Readers still on the old table see every slot "being written" and take the slow path.
        for (int i = 0; i < old.Length; i++)
        {
            Volatile.Write(ref old[i].Version, 1);
        }
    }

    private static void BeginWrite(ref Slot slot) => Volatile.Write(ref slot.Version, slot.Version + 1);

    private static void EndWrite(ref Slot slot) => Volatile.Write(ref slot.Version, slot.Version + 1);

    /// <summary>One carrier: 72 bytes, so that a hit reads one or two cache lines.</summary>
    private struct Slot
    {
        /// <summary>Even when stable; odd while a writer changes the slot.</summary>
        public int Version;

        /// <summary><see cref="Empty"/>, <see cref="Full"/> or <see cref="Removed"/> (a tombstone, so probes go on past it).</summary>
        public int State;

        public int Hash;

        public long RefreshAtTickCount;

        public long LastUseTickCount;

        /// <summary>The id packed (see <see cref="Pack"/>), or zeros when it is compared as a string.</summary>
        public ulong Key0;

        public ulong Key1;

        public string? Key;

        public PeddlerAccessToken? Token;

        public PeddlerTokenProvider? Provider;
    }
}
