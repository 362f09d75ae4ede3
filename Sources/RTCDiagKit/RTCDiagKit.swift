// One import for the whole pipeline: stream → formats → reports (analyzers and triage join
// here as they land).
@_exported import RTCDiagFormats
@_exported import RTCDiagReports
@_exported import RTCDiagStream
