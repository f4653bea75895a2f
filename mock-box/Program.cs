using MockBox;

var builder = WebApplication.CreateBuilder(args);
builder.AddMockBox();
var app = builder.Build();
app.MapMockBox();
app.Run();
