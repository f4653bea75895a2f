using System.Security.Cryptography;
using MockBox.Auth;
using MockBox.Configuration;
using MockBox.Errors;
using MockBox.Files;

namespace MockBox.Sessions;

internal enum SessionState
{
    /// <summary>Takes parts.</summary>
    Active,

    /// <summary>A commit is assembling the file; parts are all in, so only byte-identical resends still succeed.</summary>
    Committing,

    /// <summary>The file exists; the session answers 404 except to a replay of its own commit.</summary>
    Committed,

    /// <summary>Deleted by abort; its bytes are gone.</summary>
    Aborted,

    /// <summary>Past <c>session_expires_at</c>; its bytes are gone, it answers 410.</summary>
    Expired,
}

/// <summary>What a new session uploads into: a new file in a folder, or a new version of a file.</summary>
internal sealed record SessionTarget(string? FolderId, string? FileId, string? FileName);

internal sealed record StoredPart(string PartId, long Offset, long Size, string Sha1Hex, string Path);

/// <summary>
/// One upload session. Parts of one session arrive in parallel (README.md "Parallelism"), so every change
/// to its state happens under <see cref="_lock"/>; bytes are written outside it, to a temporary file that
/// becomes the part only once the part is accepted.
/// </summary>
internal sealed class UploadSession
{
    private readonly Lock _lock = new();
    private readonly SortedList<long, StoredPart> _parts = [];
    private SessionState _state = SessionState.Active;
    private int? _acceptedResponsesLeft;
    private (string FileId, string DigestBase64)? _committed;

    public UploadSession(string id, BoxUser owner, SessionTarget target, long fileSize, long partSize, int totalParts,
        DateTimeOffset createdAt, DateTimeOffset expiresAt, string folder)
    {
        Id = id;
        Owner = owner;
        Target = target;
        FileSize = fileSize;
        PartSize = partSize;
        TotalParts = totalParts;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        Folder = folder;
    }

    public string Id { get; }

    public BoxUser Owner { get; }

    public SessionTarget Target { get; }

    public long FileSize { get; }

    public long PartSize { get; }

    public int TotalParts { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Where this session's parts live on disk.</summary>
    public string Folder { get; }

    /// <summary>The file a commit produced, and the whole-file digest it was committed with (for a replayed commit).</summary>
    public (string FileId, string DigestBase64)? Committed
    {
        get
        {
            lock (_lock)
            {
                return _committed;
            }
        }
    }

    public SessionState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    public int PartCount
    {
        get
        {
            lock (_lock)
            {
                return _parts.Count;
            }
        }
    }

    public IReadOnlyList<StoredPart> Parts()
    {
        lock (_lock)
        {
            return [.. _parts.Values];
        }
    }

    public string NewTemporaryPath() => Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".tmp");

    public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

    /// <summary>
    /// Expires the session if its time has come: its bytes are deleted and it answers 410 from now on.
    /// Returns true when the session is (now) expired.
    /// </summary>
    public bool ExpireIfDue(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_state == SessionState.Expired)
            {
                return true;
            }
            if (!IsExpired(now) || _state is SessionState.Committed or SessionState.Aborted or SessionState.Committing)
            {
                return false;
            }
            _state = SessionState.Expired;
            _parts.Clear();
            DataDirectory.DeleteFolder(Folder);
            return true;
        }
    }

    /// <summary>
    /// Accepts a received and digest-checked part, moving its temporary file into place. The rules of
    /// README.md operation 4: a stored range cannot be overwritten (416 <c>range_overlaps_existing_part</c>);
    /// the mock's addition, a byte-identical resend (same offset, size and SHA-1) returns the stored part.
    /// The temporary file is consumed either way.
    /// </summary>
    public (StoredPart? Part, bool Resent, BoxError? Error) AcceptPart(long offset, long size, string sha1Hex, string temporaryPath, DateTimeOffset now)
    {
        lock (_lock)
        {
            var error = _state switch
            {
                SessionState.Aborted or SessionState.Committed => BoxErrors.SessionNotFound(),
                SessionState.Expired => BoxErrors.SessionExpired(),
                _ when IsExpired(now) => BoxErrors.SessionExpired(),
                _ => null,
            };
            if (error is null && _parts.TryGetValue(offset, out var existing))
            {
                DataDirectory.DeleteFile(temporaryPath);
                return existing.Size == size && existing.Sha1Hex == sha1Hex
                    ? (existing, true, null)
                    : (null, false, BoxErrors.RangeOverlapsExistingPart());
            }
            if (error is null && _state == SessionState.Committing)
            {
                // Every offset is stored before a commit starts, so this is unreachable unless a part
                // outside the file's grid slipped through; refuse it rather than change a committing file.
                error = BoxErrors.OperationBlocked();
            }
            if (error is not null)
            {
                DataDirectory.DeleteFile(temporaryPath);
                return (null, false, error);
            }
            var path = Path.Combine(Folder, offset.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".part");
            File.Move(temporaryPath, path, overwrite: true);
            var part = new StoredPart(NewPartId(), offset, size, sha1Hex, path);
            _parts.Add(offset, part);
            return (part, false, null);
        }
    }

    /// <summary>
    /// Starts a commit. Returns the stored parts to assemble, or why not: 409 while another commit runs,
    /// 404 once aborted or committed, 410 once expired. While the session still owes the client some
    /// <c>202 Accepted</c> answers (README.md operation 7, <c>CommitAcceptedResponses</c>), it answers
    /// <c>Accepted</c> instead and stays active.
    /// </summary>
    public (IReadOnlyList<StoredPart>? Parts, bool Accepted, BoxError? Error) BeginCommit(int configuredAcceptedResponses, DateTimeOffset now)
    {
        lock (_lock)
        {
            switch (_state)
            {
                case SessionState.Committing:
                    return (null, false, BoxErrors.OperationBlocked());
                case SessionState.Aborted or SessionState.Committed:
                    return (null, false, BoxErrors.SessionNotFound());
                case SessionState.Expired:
                    return (null, false, BoxErrors.SessionExpired());
            }
            if (IsExpired(now))
            {
                return (null, false, BoxErrors.SessionExpired());
            }
            _acceptedResponsesLeft ??= configuredAcceptedResponses;
            if (_acceptedResponsesLeft > 0)
            {
                _acceptedResponsesLeft--;
                return (null, true, null);
            }
            _state = SessionState.Committing;
            return ([.. _parts.Values], false, null);
        }
    }

    /// <summary>Ends a commit: committed (parts deleted, the file remembered) or back to active so the client can fix and retry.</summary>
    public void EndCommit(FileRecord? file, string digestBase64)
    {
        lock (_lock)
        {
            if (file is null)
            {
                _state = SessionState.Active;
                return;
            }
            _state = SessionState.Committed;
            _committed = (file.Id, digestBase64);
            _parts.Clear();
            DataDirectory.DeleteFolder(Folder);
        }
    }

    /// <summary>Aborts (README.md operation 5): all uploaded data is thrown away. Not while a commit assembles the file.</summary>
    public BoxError? Abort()
    {
        lock (_lock)
        {
            var error = _state switch
            {
                SessionState.Committing => BoxErrors.OperationBlocked(),
                SessionState.Aborted or SessionState.Committed => BoxErrors.SessionNotFound(),
                SessionState.Expired => BoxErrors.SessionExpired(),
                _ => null,
            };
            if (error is not null)
            {
                return error;
            }
            _state = SessionState.Aborted;
            _parts.Clear();
            DataDirectory.DeleteFolder(Folder);
            return null;
        }
    }

    /// <summary>Drops the session's bytes (mock reset).</summary>
    public void Discard()
    {
        lock (_lock)
        {
            _state = SessionState.Aborted;
            _parts.Clear();
        }
    }

    // Box's part ids are 8 uppercase hex characters (README.md example "6F2D3486"); unique within the session.
    private string NewPartId()
    {
        while (true)
        {
            var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
            if (_parts.Values.All(part => part.PartId != id))
            {
                return id;
            }
        }
    }
}
