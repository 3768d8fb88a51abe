using System;
using System.Buffers;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Protocol;

/// <summary>Reads a response body with a size limit, so that a hostile endpoint cannot exhaust memory.</summary>
internal static class BoundedContent
{
    /// <summary>
    /// Reads at most <paramref name="limit"/> bytes of <paramref name="content"/>: refuses a larger
    /// <c>Content-Length</c> without reading, and stops at the first byte past the limit. A body of
    /// declared length is read into an array of that length; one of unknown length into pooled
    /// buffers that grow from 4 KiB to <c>limit</c> bytes (then a one-byte probe), copied out only
    /// if it fits.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Content, bool TooLarge)> ReadAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        long? declared = content.Headers.ContentLength;
        if (declared > limit)
        {
            return (ReadOnlyMemory<byte>.Empty, true);
        }

        if (declared == 0)
        {
            return (ReadOnlyMemory<byte>.Empty, false);
        }

        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            if (declared is not long length)
            {
                return await ReadUndeclaredAsync(stream, limit, cancellationToken).ConfigureAwait(false);
            }

            // Content-Length framing ends the body there (read inline: the usual case, one state machine).
            byte[] exact = new byte[length];
            int read = 0;
            while (read < exact.Length)
            {
                int n = await stream.ReadAsync(exact.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return (exact.AsMemory(0, read), false);
        }
    }

    private static async Task<(ReadOnlyMemory<byte> Content, bool TooLarge)> ReadUndeclaredAsync(Stream stream, int limit, CancellationToken cancellationToken)
    {
        ArrayPool<byte> pool = ArrayPool<byte>.Shared;
        byte[] buffer = pool.Rent(Math.Min(4096, limit));
        try
        {
            int total = 0;
            while (true)
            {
                int capacity = Math.Min(buffer.Length, limit);
                if (total == capacity)
                {
                    if (total == limit)
                    {
                        // Full: one more byte means over the limit (a probe, so the buffer never
                        // needs the next power of two up).
                        byte[] probe = buffer.Length > limit ? buffer : new byte[1];
                        int extra = await stream.ReadAsync(probe.AsMemory(probe == buffer ? limit : 0, 1), cancellationToken).ConfigureAwait(false);
                        return extra == 0 ? (buffer.AsSpan(0, total).ToArray(), false) : (ReadOnlyMemory<byte>.Empty, true);
                    }

                    byte[] larger = pool.Rent((int)Math.Min((long)buffer.Length * 2, limit));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                    continue;
                }

                int read = await stream.ReadAsync(buffer.AsMemory(total, capacity - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer.AsSpan(0, total).ToArray(), false);
                }

                total += read;
            }
        }
        finally
        {
            pool.Return(buffer);
        }
    }
}
