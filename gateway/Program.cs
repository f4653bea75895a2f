using Gateway.Forwarding;
using Gateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
// Before anything opens a socket: the runtime reads its socket scheduling once (Forwarding/InlineScheduling.cs).
InlineScheduling.ApplyToProcess(builder.Configuration);
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();
