<#
.SYNOPSIS
Builds, tests, documents and packages the PsSockets module.

.DESCRIPTION
For people who have pwsh. The tasks:

  Build    dotnet build, which assembles the importable module folder out/PsSockets; fails if
           out/PsSockets/PsSockets.dll was not created.
  Test     dotnet test (the xunit suite on the hosted engine), then the Pester tests in
           tests/Pester against out/PsSockets, in a child pwsh -NoProfile process (a loaded binary
           module cannot be unloaded, so the tests never run in this session). Pester 5 or later
           must be installed; without it the Pester tests are skipped, and the script says so.
  Help     New-ExternalHelp from docs/help into out/PsSockets/en-US, when PlatyPS is installed
           (dotnet build already writes that help with its own builder, PsSockets.HelpBuilder).
  Package  Copies out/PsSockets to out/package/PsSockets/<version> and zips that folder to
           out/package/PsSockets.<version>.zip (no Publish-Module, no repository needed). The Build
           task (dotnet build) already wrote the Gallery package out/package/PsSockets.<version>.nupkg.
  All      Build, Help, Test and Package.

Test, Help and Package build first; Package also generates help first. Each task runs once.

.PARAMETER Configuration
The dotnet build configuration: Release (the default) or Debug.

.PARAMETER Task
One or more tasks to run: Build (the default), Test, Help, Package or All.

.EXAMPLE
./build.ps1

Builds the module into out/PsSockets (Release).

.EXAMPLE
./build.ps1 -Task Test -Configuration Debug

Builds in Debug, runs the xunit tests, then the Pester tests in a child pwsh.

.EXAMPLE
./build.ps1 -Task All

Builds, generates help, runs every test and writes out/package/PsSockets.<version>.zip.
#>
[CmdletBinding()]
param(
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    [ValidateSet('Build', 'Test', 'Help', 'Package', 'All')]
    [string[]] $Task = 'Build'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$RepoRoot = $PSScriptRoot
$Solution = [System.IO.Path]::Combine($RepoRoot, 'PsSockets.sln')
$ModuleDir = [System.IO.Path]::Combine($RepoRoot, 'out', 'PsSockets')
$ModuleDll = [System.IO.Path]::Combine($ModuleDir, 'PsSockets.dll')
$ModuleManifest = [System.IO.Path]::Combine($ModuleDir, 'PsSockets.psd1')
$PesterTests = [System.IO.Path]::Combine($RepoRoot, 'tests', 'Pester')
$HelpSource = [System.IO.Path]::Combine($RepoRoot, 'docs', 'help')
$HelpOutput = [System.IO.Path]::Combine($ModuleDir, 'en-US')
$PackageRoot = [System.IO.Path]::Combine($RepoRoot, 'out', 'package')

function Write-Step {
    param([Parameter(Mandatory)] [string] $Message)
    Write-Host "==> $Message"
}

function Invoke-Native {
    # Runs a program and fails when it exits non-zero ($ErrorActionPreference does not cover native commands).
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [string] $Display
    )
    Write-Host "    $FilePath $(if ($Display) { $Display } else { $ArgumentList -join ' ' })"
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath exited with code $LASTEXITCODE."
    }
}

function Get-NewestModule {
    # The newest installed version of a module at or above a minimum version, or $null.
    param(
        [Parameter(Mandatory)] [string] $Name,
        [version] $MinimumVersion = '0.0'
    )
    $newest = $null
    foreach ($module in @(Get-Module -ListAvailable -Name $Name)) {
        if ($module.Version -ge $MinimumVersion -and ($null -eq $newest -or $module.Version -gt $newest.Version)) {
            $newest = $module
        }
    }
    $newest
}

function Invoke-Build {
    Write-Step "Build ($Configuration)"
    Invoke-Native dotnet @('build', $Solution, '--configuration', $Configuration, '--nologo')
    if (-not [System.IO.File]::Exists($ModuleDll)) {
        throw "Expected binary was not created: $ModuleDll"
    }
    # Reads the built manifest the way Import-Module will (and fails on a broken one).
    $manifest = Test-ModuleManifest -Path $ModuleManifest
    Write-Host "    out/PsSockets holds PsSockets $($manifest.Version)"
}

function Invoke-Test {
    Write-Step "Test: xunit ($Configuration)"
    Invoke-Native dotnet @('test', $Solution, '--configuration', $Configuration, '--no-build', '--nologo')

    $pester = Get-NewestModule -Name Pester -MinimumVersion '5.0'
    if ($null -eq $pester) {
        Write-Warning 'Pester 5 or later is not installed: the Pester tests in tests/Pester were skipped.'
        return
    }

    Write-Step "Test: Pester $($pester.Version) in a child pwsh, against out/PsSockets"
    $pwsh = [System.IO.Path]::Combine($PSHOME, $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }))
    if (-not [System.IO.File]::Exists($pwsh)) {
        $pwsh = @(Get-Command -Name pwsh -CommandType Application)[0].Source
    }
    $quote = { param([string] $Text) "'" + $Text.Replace("'", "''") + "'" }
    $childScript = @(
        '$ErrorActionPreference = ''Stop'''
        "Import-Module -Name $(& $quote $pester.Path)"
        '$configuration = New-PesterConfiguration'
        "`$configuration.Run.Path = $(& $quote $PesterTests)"
        '$configuration.Run.Exit = $true'
        '$configuration.Output.Verbosity = ''Detailed'''
        'Invoke-Pester -Configuration $configuration'
    ) -join [System.Environment]::NewLine
    # -EncodedCommand: the script reaches the child intact, whatever the platform's quoting rules.
    # Run.Exit makes the child's exit code the number of failed tests, so Invoke-Native fails on any.
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($childScript))
    Invoke-Native $pwsh @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -Display "-NoProfile -NonInteractive: Invoke-Pester on $PesterTests"
}

function Invoke-Help {
    Write-Step 'Help'
    $platyPS = Get-NewestModule -Name PlatyPS
    if ($null -eq $platyPS) {
        Write-Host '    PlatyPS is not installed: the help dotnet build wrote from docs/help stays (out/PsSockets/en-US).'
        return
    }
    if (-not [System.IO.Directory]::Exists($HelpSource)) {
        Write-Warning "There is no $HelpSource yet: no help to generate."
        return
    }
    Import-Module -Name $platyPS.Path
    $null = New-ExternalHelp -Path $HelpSource -OutputPath $HelpOutput -Force
    Write-Host "    $HelpOutput"
}

function Invoke-Package {
    Write-Step 'Package'
    $version = (Test-ModuleManifest -Path $ModuleManifest).Version.ToString()
    $moduleRoot = [System.IO.Path]::Combine($PackageRoot, 'PsSockets')
    $versionDir = [System.IO.Path]::Combine($moduleRoot, $version)
    $zip = [System.IO.Path]::Combine($PackageRoot, "PsSockets.$version.zip")

    if ([System.IO.Directory]::Exists($moduleRoot)) {
        [System.IO.Directory]::Delete($moduleRoot, $true)
    }
    $null = [System.IO.Directory]::CreateDirectory($versionDir)
    foreach ($file in [System.IO.Directory]::GetFiles($ModuleDir, '*', [System.IO.SearchOption]::AllDirectories)) {
        $target = [System.IO.Path]::Combine($versionDir, [System.IO.Path]::GetRelativePath($ModuleDir, $file))
        $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($target))
        [System.IO.File]::Copy($file, $target, $true)
    }

    if ([System.IO.File]::Exists($zip)) {
        [System.IO.File]::Delete($zip)
    }
    $null = [System.Reflection.Assembly]::Load('System.IO.Compression.ZipFile')
    # The zip holds PsSockets/<version>/...: unzip it into any folder of $env:PSModulePath.
    [System.IO.Compression.ZipFile]::CreateFromDirectory($moduleRoot, $zip, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    Write-Host "    $versionDir"
    Write-Host "    $zip"
}

# Each task once, in dependency order.
$wanted = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
foreach ($name in $Task) {
    switch ($name) {
        'All' { $null = $wanted.Add('Build'); $null = $wanted.Add('Help'); $null = $wanted.Add('Test'); $null = $wanted.Add('Package') }
        'Package' { $null = $wanted.Add('Build'); $null = $wanted.Add('Help'); $null = $wanted.Add('Package') }
        default { $null = $wanted.Add('Build'); $null = $wanted.Add($name) }
    }
}

if ($wanted.Contains('Build')) { Invoke-Build }
if ($wanted.Contains('Help')) { Invoke-Help }
if ($wanted.Contains('Test')) { Invoke-Test }
if ($wanted.Contains('Package')) { Invoke-Package }
