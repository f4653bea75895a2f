using MockSandbox;

var builder = WebApplication.CreateBuilder(args);
builder.AddMockSandbox();
var app = builder.Build();
app.MapMockSandbox();
app.Run();
