using System;
using System.Collections.Generic;
using System.Threading;

namespace Peddler.Core;

/// <summary>
/// The run-time carriers of one <c>{CarrierId}</c> client: an open-addressing table whose slots
/// hold, inline, what a cache hit needs (the carrier id packed into a number, its cached token and
/// refresh point) in 40 bytes, so that a cached token for any of thousands of carriers is one read
/// of one slot in a compact array (10,000 carriers: 640 KiB). The id's string and the carrier's
/// client sit in a parallel array, read only for ids longer than 8 characters and for lookups
/// that return the client.
/// </summary>
/// <remarks>
/// <para>
/// Readers take no lock. Every slot carries a version (a sequence lock): a writer makes it odd,
/// writes the fields, makes it even again; a reader that saw the same even version before and
/// after reading a slot has read one consistent state. A reader that sees a slot being written, or
/// a table replaced by a larger one, just misses and takes the slow path (the carrier's own
/// client), which is always right. Writers (a new carrier, a carrier's token changing, eviction,
/// growth) hold <see cref="_lock"/>; they are rare: one per carrier and token lifetime.
/// </para>
/// <para>
/// A slot mirrors its carrier's cache entry: the client calls <see cref="Publish"/> after every
/// change of its entry, and <see cref="Publish"/> copies the entry it reads under the lock, so the
/// last copy is always of the newest entry.
/// </para>
/// </remarks>
internal sealed class CarrierTable(long epoch)
{
    private const int Empty = 0;
    private const int Full = 1;
    private const int Removed = 2;

    private readonly object _lock = new();
    private Arrays _arrays = new(16);
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
        TryRead(carrierId, nowTickCount, wantClient: false, out PeddlerAccessToken? token, out long refreshAt, out _) && nowTickCount < refreshAt ? token : null;

    /// <summary>The client of <paramref name="carrierId"/> if it is kept; <see langword="null"/> otherwise (or while its slot is written).</summary>
    public CarrierClient? TryGetClient(string carrierId, long nowTickCount) =>
        TryRead(carrierId, nowTickCount, wantClient: true, out _, out _, out CarrierClient? client) ? client : null;

    /// <summary>
    /// Reads <paramref name="carrierId"/>'s slot without a lock: <see langword="true"/> with one
    /// consistent state of it; <see langword="false"/> when it is not kept or a slot on its probe
    /// path is being written (the caller then takes the slow, always-right path).
    /// </summary>
    private bool TryRead(string carrierId, long nowTickCount, bool wantClient, out PeddlerAccessToken? token, out long refreshAt, out CarrierClient? client)
    {
        Arrays arrays = Volatile.Read(ref _arrays);
        Slot[] slots = arrays.Slots;
        int mask = slots.Length - 1;
        bool packed = Pack(carrierId, out ulong key);
        int hash = packed ? HashCode.Combine(key) : carrierId.GetHashCode();
        for (int i = hash & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            ref Slot slot = ref slots[i];
            int version = Volatile.Read(ref slot.Version);
            int state = Volatile.Read(ref slot.State);
            int slotHash = Volatile.Read(ref slot.Hash);
            ulong slotKey = Volatile.Read(ref slot.Key);
            token = Volatile.Read(ref slot.Token);
            refreshAt = Volatile.Read(ref slot.RefreshAtTickCount);

            // The parallel array only when it is needed: an unpacked id, or the client.
            string? id = packed ? null : Volatile.Read(ref arrays.Carriers[i].Id);
            client = wantClient ? Volatile.Read(ref arrays.Carriers[i].Client) : null;
            if ((version & 1) != 0 || Volatile.Read(ref slot.Version) != version || state == Empty)
            {
                break;
            }

            if (state == Full && slotHash == hash && (packed ? slotKey == key : SameKey(id, carrierId)))
            {
                Touch(ref slot, nowTickCount);
                return true;
            }
        }

        token = null;
        refreshAt = long.MinValue;
        client = null;
        return false;
    }

    /// <summary>
    /// The client of <paramref name="carrierId"/>, created with <paramref name="create"/> when it
    /// is not kept; when <paramref name="capacity"/> carriers are kept, <paramref name="makeRoom"/>
    /// runs first (under the lock, so it may call <see cref="Evict"/>).
    /// </summary>
    public CarrierClient GetOrAdd(string carrierId, long nowTickCount, int capacity, Func<string, CarrierClient> create, Action makeRoom)
    {
        lock (_lock)
        {
            int found = Find(_arrays, carrierId);
            if (found >= 0)
            {
                Touch(ref _arrays.Slots[found], nowTickCount);
                return _arrays.Carriers[found].Client!;
            }

            if (_count >= capacity)
            {
                makeRoom();
            }

            CarrierClient client = create(carrierId);
            if ((_used + 1) * 4 > _arrays.Slots.Length * 3)
            {
                // Over three quarters taken (tombstones included): a table twice the live carriers' need.
                Resize(Math.Max(16, (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)((_count + 1) * 2)))));
            }

            Insert(_arrays, carrierId, client, ToUnits(nowTickCount));
            _count++;
            _used++;
            return client;
        }
    }

    /// <summary>Copies <paramref name="carrier"/>'s current cache entry into its slot (if it is still kept).</summary>
    public void Publish(CarrierClient carrier, bool coarseClock)
    {
        lock (_lock)
        {
            int index = carrier.Slot;
            if (index < 0)
            {
                return;
            }

            CacheEntry? entry = carrier.Current;
            ref Slot slot = ref _arrays.Slots[index];
            BeginWrite(ref slot);
            Volatile.Write(ref slot.Token, entry?.Token);

            // Under a test TimeProvider the fast path is off: the client judges with its clock.
            Volatile.Write(ref slot.RefreshAtTickCount, entry is not null && coarseClock ? entry.RefreshAtTickCount : long.MinValue);
            EndWrite(ref slot);
        }
    }

    /// <summary>
    /// Removes, under the lock, the carriers <paramref name="idle"/> says are idle (given the
    /// client and its last use); then, if <paramref name="capacity"/> is positive and still
    /// reached, the least recently used tenth.
    /// </summary>
    public void Evict(Func<CarrierClient, long, bool> idle, int capacity)
    {
        lock (_lock)
        {
            Arrays arrays = _arrays;
            for (int i = 0; i < arrays.Slots.Length; i++)
            {
                if (arrays.Slots[i].State == Full && idle(arrays.Carriers[i].Client!, LastUse(arrays, i)))
                {
                    Remove(arrays, i);
                }
            }

            if (capacity <= 0 || _count < capacity)
            {
                return;
            }

            var live = new List<(long LastUse, int Index)>(_count);
            for (int i = 0; i < arrays.Slots.Length; i++)
            {
                if (arrays.Slots[i].State == Full)
                {
                    live.Add((LastUse(arrays, i), i));
                }
            }

            live.Sort(static (a, b) => a.LastUse.CompareTo(b.LastUse));
            for (int i = 0; i < Math.Max(1, live.Count / 10); i++)
            {
                Remove(arrays, live[i].Index);
            }
        }
    }

    /// <summary>The clients kept now (a snapshot); with <paramref name="keep"/>, those it keeps given the client and its last use.</summary>
    public List<CarrierClient> Clients(Func<CarrierClient, long, bool>? keep = null)
    {
        lock (_lock)
        {
            var clients = new List<CarrierClient>(_count);
            for (int i = 0; i < _arrays.Slots.Length; i++)
            {
                if (_arrays.Slots[i].State == Full && (keep is null || keep(_arrays.Carriers[i].Client!, LastUse(_arrays, i))))
                {
                    clients.Add(_arrays.Carriers[i].Client!);
                }
            }

            return clients;
        }
    }

    /// <summary>When the carrier in slot <paramref name="index"/> was last used: the later of its slot's hits and its client's own calls.</summary>
    private long LastUse(Arrays arrays, int index) =>
        Math.Max(epoch + ((long)Volatile.Read(ref arrays.Slots[index].LastUse) << 10), arrays.Carriers[index].Client!.LastUseTickCount);

    /// <summary>A time on the lookup clock in the slot's units: 1,024 ms since the table was made (an int lasts 69 years).</summary>
    private int ToUnits(long nowTickCount) => (int)Math.Clamp((nowTickCount - epoch) >> 10, 0, int.MaxValue);

    /// <summary>Records a use at most once a unit (about a second), so that lookups of a hot carrier do not keep writing its slot.</summary>
    private void Touch(ref Slot slot, long nowTickCount)
    {
        int now = ToUnits(nowTickCount);
        if (Volatile.Read(ref slot.LastUse) != now)
        {
            Volatile.Write(ref slot.LastUse, now);
        }
    }

    /// <summary>The index of <paramref name="carrierId"/>'s slot, or -1; under the lock only.</summary>
    private static int Find(Arrays arrays, string carrierId)
    {
        Slot[] slots = arrays.Slots;
        int mask = slots.Length - 1;
        int hash = Hash(carrierId);
        for (int i = hash & mask, probes = 0; probes < slots.Length; i = (i + 1) & mask, probes++)
        {
            if (slots[i].State == Empty)
            {
                return -1;
            }

            if (slots[i].State == Full && slots[i].Hash == hash && SameKey(arrays.Carriers[i].Id, carrierId))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The id's hash (seeded per process, as every .NET string hash): of its packed form when it has one.</summary>
    private static int Hash(string carrierId) =>
        Pack(carrierId, out ulong key) ? HashCode.Combine(key) : carrierId.GetHashCode();

    /// <summary>
    /// Packs an id of at most 8 ASCII characters (Peddler's carrier ids are 6 digits) into one
    /// number, so that a lookup compares it inline, without reading the stored string; scope tokens
    /// never hold a NUL, so zero padding is unambiguous. <see langword="false"/> (and zero) for
    /// other ids, which are compared as strings.
    /// </summary>
    private static bool Pack(string id, out ulong key)
    {
        key = 0;
        if (id.Length is 0 or > 8)
        {
            return false;
        }

        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (c is '\0' or > '\x7F')
            {
                key = 0;
                return false;
            }

            key |= (ulong)c << (i * 8);
        }

        return true;
    }

    private static bool SameKey(string? key, string carrierId) => ReferenceEquals(key, carrierId) || string.Equals(key, carrierId, StringComparison.Ordinal);

    private static void Insert(Arrays arrays, string carrierId, CarrierClient client, int lastUse)
    {
        Slot[] slots = arrays.Slots;
        int mask = slots.Length - 1;
        int hash = Hash(carrierId);
        int i = hash & mask;
        while (slots[i].State == Full)
        {
            i = (i + 1) & mask;
        }

        ref Slot slot = ref slots[i];
        Pack(carrierId, out ulong key);
        BeginWrite(ref slot);
        Volatile.Write(ref slot.Hash, hash);
        Volatile.Write(ref slot.Key, key);
        Volatile.Write(ref arrays.Carriers[i].Id, carrierId);
        Volatile.Write(ref arrays.Carriers[i].Client, client);
        Volatile.Write(ref slot.Token, null);
        Volatile.Write(ref slot.RefreshAtTickCount, long.MinValue);
        Volatile.Write(ref slot.LastUse, lastUse);
        Volatile.Write(ref slot.State, Full);
        EndWrite(ref slot);
        client.Slot = i;
    }

    private void Remove(Arrays arrays, int index)
    {
        ref Slot slot = ref arrays.Slots[index];
        arrays.Carriers[index].Client!.Slot = -1;
        BeginWrite(ref slot);
        Volatile.Write(ref slot.State, Removed);
        Volatile.Write(ref slot.Key, 0UL);
        Volatile.Write(ref arrays.Carriers[index].Id, null);
        Volatile.Write(ref arrays.Carriers[index].Client, null);
        Volatile.Write(ref slot.Token, null);
        Volatile.Write(ref slot.RefreshAtTickCount, long.MinValue);
        EndWrite(ref slot);
        _count--;
    }

    /// <summary>Moves the live carriers to new arrays of <paramref name="length"/> slots; readers of the old ones miss from now on.</summary>
    private void Resize(int length)
    {
        Arrays old = _arrays;
        var arrays = new Arrays(length);
        for (int i = 0; i < old.Slots.Length; i++)
        {
            ref Slot from = ref old.Slots[i];
            if (from.State == Full)
            {
                CarrierClient client = old.Carriers[i].Client!;
                Insert(arrays, old.Carriers[i].Id!, client, from.LastUse);
                arrays.Slots[client.Slot].Token = from.Token;
                arrays.Slots[client.Slot].RefreshAtTickCount = from.RefreshAtTickCount;
            }
        }

        Volatile.Write(ref _arrays, arrays);
        _used = _count;

        // Readers still on the old arrays see every slot "being written" and take the slow path.
        for (int i = 0; i < old.Slots.Length; i++)
        {
            Volatile.Write(ref old.Slots[i].Version, 1);
        }
    }

    private static void BeginWrite(ref Slot slot) => Volatile.Write(ref slot.Version, slot.Version + 1);

    private static void EndWrite(ref Slot slot) => Volatile.Write(ref slot.Version, slot.Version + 1);

    /// <summary>The slots and, at the same index, each carrier's id string and client; replaced together on growth.</summary>
    private sealed class Arrays(int length)
    {
        public readonly Slot[] Slots = new Slot[length];

        public readonly Carrier[] Carriers = new Carrier[length];
    }

    /// <summary>What a cache hit reads: 40 bytes, so that 10,000 carriers' slots fit in a core's L2 cache.</summary>
    private struct Slot
    {
        /// <summary>Even when stable; odd while a writer changes the slot (or its <see cref="Carrier"/>).</summary>
        public int Version;

        /// <summary><see cref="Empty"/>, <see cref="Full"/> or <see cref="Removed"/> (a tombstone, so probes go on past it).</summary>
        public int State;

        public int Hash;

        /// <summary>The last use, in 1,024 ms units since the table was made (see <see cref="ToUnits"/>).</summary>
        public int LastUse;

        public long RefreshAtTickCount;

        /// <summary>The id packed (see <see cref="Pack"/>), or zero when it is compared as a string.</summary>
        public ulong Key;

        public PeddlerAccessToken? Token;
    }

    /// <summary>The rest of a carrier: read for ids longer than 8 characters and for lookups of its client.</summary>
    private struct Carrier
    {
        public string? Id;

        public CarrierClient? Client;
    }
}
