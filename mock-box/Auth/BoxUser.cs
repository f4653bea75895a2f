namespace MockBox.Auth;

/// <summary>
/// The user behind one configured access token. Each token is its own user: README.md says only the user
/// who created an upload session may use it, so sessions remember their owner. Files and folders are one
/// shared tree every user can see.
/// </summary>
internal sealed record BoxUser(string Id, string Name, string Login);
