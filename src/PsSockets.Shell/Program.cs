using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

var iss = InitialSessionState.CreateDefault2();
using var rs = RunspaceFactory.CreateRunspace(iss);
rs.Open();
using var ps = PowerShell.Create(rs);
var root = AppContext.BaseDirectory;
string? dir = root;
while (dir is not null && !File.Exists(Path.Combine(dir, "PsSockets.sln"))) dir = Path.GetDirectoryName(dir);
ps.AddCommand("Import-Module").AddArgument(Path.Combine(dir!, "out", "PsSockets")).Invoke(); foreach (var e in ps.Streams.Error) Console.WriteLine("IMPORT " + e + " " + e.Exception); ps.Streams.Error.Clear();
ps.Commands.Clear();
ps.AddScript(args.Length > 1 ? args[1] : "Get-Command -Module PsSockets");
try {
  foreach (var o in ps.Invoke()) Console.WriteLine(o);
} catch (Exception e) { Console.WriteLine("EXC " + e); }
foreach (var e in ps.Streams.Error) Console.WriteLine("ERR " + e + " | " + e.FullyQualifiedErrorId + " | " + e.CategoryInfo);
return ps.HadErrors ? 1 : 0;
