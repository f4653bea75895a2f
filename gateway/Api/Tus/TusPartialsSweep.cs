using Gateway.Rechunking;

namespace Gateway.Api.Tus;

/// <summary>Partial uploads never named by a final POST: gone with their quota once they expire, on the core's staging sweep.</summary>
internal sealed class TusPartialsSweep(TusPartials partials, ILogger<TusPartialsSweep> logger) : IStagingSweep
{
    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var swept = 0;
        foreach (var id in partials.All().ToList())
        {
            if (await partials.FindAsync(id, cancellationToken) is { } partial && partial.ExpiresAt <= now)
            {
                await partials.DeleteAsync(partial);
                Log.PartialSwept(logger, id);
                swept++;
            }
        }
        return swept;
    }
}
