// One import for the whole pipeline: stream → formats → analyzers → triage → reports.
@_exported import RTCDiagAnalyzers
@_exported import RTCDiagFormats
@_exported import RTCDiagReports
@_exported import RTCDiagStream
@_exported import RTCDiagTriage
@_exported import RTCDiagBuiltinRules
@_exported import RTCDiagRules
@_exported import RTCDiagStore
