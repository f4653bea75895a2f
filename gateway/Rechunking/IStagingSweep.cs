namespace Gateway.Rechunking;

/// <summary>What a front keeps in the staging directory outside the uploads' folders, swept with them (tus: its partial uploads).</summary>
internal interface IStagingSweep
{
    /// <summary>Deletes what has ended by <paramref name="now"/>; returns how many it deleted.</summary>
    Task<int> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken);
}
