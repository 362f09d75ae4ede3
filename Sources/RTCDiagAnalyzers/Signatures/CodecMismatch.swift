import RTCDiagFormats

/// `codec_mismatch`: the two sides cannot agree on a codec, or the negotiated codec cannot be
/// run. The side whose description fails is the side at fault:
/// - the remote description is refused (the remote side — usually the SFU — offered or
///   answered codecs this client cannot use): server;
/// - this client's own description is refused (its codec list is broken: no video codecs in
///   its factories, an RTX or payload-type collision): client;
/// - RTP arrives with payload types that were never negotiated (the remote sends a codec the
///   answer did not agree on), repeatedly: server;
/// - the H.264 profiles of the two descriptions do not overlap (profile-level-id: profile_idc
///   and constraint byte; the level may differ, RFC 6184 §8.2.2), read from SDP dumps the app
///   logs after "setLocalDescription"/"setRemoteDescription" or "Local SDP"/"Remote SDP": server;
/// - the hardware encoder/decoder for the negotiated codec fails and falls back to software.
///
/// Sources: libwebrtc `pc/channel.cc` / `sdp_offer_answer.cc` ("Failed to set remote video
/// description send parameters for m-section with mid='…'", "Failed to set local video
/// description recv parameters for m-section with mid='…'", "Failed to set remote answer sdp",
/// session error `ERROR_CONTENT`; Twilio Video's 53404 "No supported codec"; not "Called in
/// wrong state: …", a signalling-order error); `pc/rtp_transport.cc` ("Failed to demux RTP packet: PT=…
/// SSRC=… MID=…"; `MID=probator` is an SFU's bandwidth probe, not media); WebRTC
/// `HardwareVideoEncoder.java` ("initEncodeInternal failed" → `FALLBACK_SOFTWARE`, "Cannot
/// create media encoder"), `AndroidVideoDecoder.java`, and their predecessors
/// `MediaCodecVideoEncoder.java` / `MediaCodecVideoDecoder.java` ("initEncode failed",
/// "initDecode failed", still in many shipped apps); the iOS/macOS VideoToolbox codecs
/// `RTCVideoEncoderH264.mm` / `RTCVideoDecoderH264.mm` ("Failed to create compression session:
/// <OSStatus>", "Failed to create decompression session: <OSStatus>").
public struct CodecMismatchAnalyzer: Analyzer {
    public static let description = AnalyzerDescription(
        id: "codec_mismatch",
        name: "Codec mismatch",
        summary: "Offer/answer without an acceptable codec, or the negotiated codec's hardware encoder/decoder fails.",
        defaultCause: .server, defaultSeverity: .p1,
        remediation: "Compare the SFU's codec configuration (payload types, H.264 profile-level-id, packetization-mode) "
            + "with what this client offers; for encoder failures, check the device's MediaCodec support and the SDK's "
            + "hardware-codec blocklist.",
        keywords: ["Failed to set remote", "Failed to set local", "Failed to demux RTP packet", "ERROR_CONTENT",
                   "profile-level-id=", "setLocalDescription", "setRemoteDescription", "Local SDP", "Remote SDP", "initEncodeInternal failed", "Cannot create media encoder",
                   "Cannot create media decoder", "initDecodeInternal failed", "initEncode failed", "initDecode failed", "FALLBACK_SOFTWARE", "compression session:",
                   "No supported codec"],
        triggeringExamples: [
            AnalyzerExample("""
                ↓[12345:67890:1123/101502.123456:ERROR:sdp_offer_answer.cc(2101)] Failed to set remote answer sdp: Failed to set remote video description send parameters for m-section with mid='1'.
                """),
            AnalyzerExample("""
                ↓11-23 10:15:02.000  8123  8200 E HardwareVideoEncoder: initEncodeInternal failed
                11-23 10:15:02.001  8123  8200 I VideoEncoderFallback: using software encoder
                """),
            AnalyzerExample("""
                ↓03-02 11:10:45.010 17844 18377 E org.webrtc.Logging: MediaCodecVideoEncoder: initEncode failed
                03-02 11:10:45.010 17844 18377 E org.webrtc.Logging: MediaCodecVideoEncoder: android.media.MediaCodec$CodecException: Error 0xfffffc0e
                """),
            AnalyzerExample("""
                ↓2024-05-01 10:00:02.412301+0800 RTCDemo[1234:567921] (RTCVideoEncoderH264.mm:763): Failed to create compression session: -12902
                """),
            AnalyzerExample("""
                ↓2024-05-01T10:00:03.100Z ERROR [twilio-video] TwilioError 53404: No supported codec
                """),
            AnalyzerExample("""
                [96685:23:1123/101503.933377:ERROR:webrtc_video_engine.cc(1171)] GetChangedRecvParameters called without any video codecs.
                ↓[96685:23:1123/101503.933430:ERROR:sdp_offer_answer.cc(4302)] Failed to set local video description recv parameters for m-section with mid='2'. (INVALID_PARAMETER)
                """),
            AnalyzerExample("""
                ↓[1:15:1123/101502.100000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=100 SSRC=3821901 MID=1 RSID= RRSID=
                ↓[1:15:1123/101502.140000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=100 SSRC=3821901 MID=1 RSID= RRSID=
                ↓[1:15:1123/101502.180000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=101 SSRC=3821902 MID=1 RSID= RRSID=
                """),
            AnalyzerExample("""
                11-23 10:15:01.000  8123  8150 D PCObserver: setLocalDescription offer
                11-23 10:15:01.001  8123  8150 D PCObserver: a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
                11-23 10:15:01.300  8123  8150 D PCObserver: setRemoteDescription answer
                ↓11-23 10:15:01.301  8123  8150 D PCObserver: a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f
                """),
        ],
        nonTriggeringExamples: [
            // libwebrtc refuses a description applied in the wrong signalling state: no codec question.
            AnalyzerExample("""
                [12345:67890:1123/101502.123456:ERROR:sdp_offer_answer.cc(2101)] Failed to set remote answer sdp: Called in wrong state: stable
                """),
            AnalyzerExample("""
                11-23 10:15:02.000  8123  8200 I HardwareVideoEncoder: initEncode: 1280 x 720. @ 1000kbps. Fps: 30
                11-23 10:15:02.100  8123  8171 I org.webrtc.Logging: PeerConnection: Changing IceConnectionState 1 => 2
                """),
            AnalyzerExample("""
                [1:15:1123/101502.100000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=127 SSRC=1234 MID=probator RSID= RRSID=
                [1:15:1123/101502.140000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=127 SSRC=1234 MID=probator RSID= RRSID=
                [1:15:1123/101502.180000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=127 SSRC=1234 MID=probator RSID= RRSID=
                [1:15:1123/101503.000000:WARNING:rtp_transport.cc(230)] Failed to demux RTP packet: PT=100 SSRC=3821901 MID=1 RSID= RRSID=
                """),
            AnalyzerExample("""
                11-23 10:15:01.000  8123  8150 D PCObserver: setLocalDescription offer
                11-23 10:15:01.001  8123  8150 D PCObserver: a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
                11-23 10:15:01.300  8123  8150 D PCObserver: setRemoteDescription answer
                11-23 10:15:01.301  8123  8150 D PCObserver: a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e034
                """),
        ])

    /// Stray packets right after a renegotiation are normal; this many unmatched ones are not.
    static let unmatchedPacketThreshold = 3

    private var remote = EvidenceLog()
    private var audioSection = false
    private var local = EvidenceLog()
    private var localAudioSection = false
    private var unmatched = EvidenceLog()
    private var unmatchedTypes: [Int] = []
    private var codecInit = EvidenceLog()
    /// Which description the SDP lines being logged belong to, and the H.264 profiles
    /// (profile_idc + constraint byte, lowercase hex) each side listed.
    private var sdpIsRemote: Bool?
    private var localProfiles = Set<String>(), remoteProfiles = Set<String>()
    private var remoteProfileLines = EvidenceLog()

    public init() {}

    /// The profile part (first 4 hex digits) of every `profile-level-id=` in `text`.
    static func h264Profiles(_ text: UnsafeRawBufferPointer) -> [String] {
        var out: [String] = []
        var rest = text
        while let at = ByteMatch.after(rest, "profile-level-id="), at + 6 <= rest.count {
            let value = String(decoding: rest[at..<(at + 4)], as: UTF8.self).lowercased()
            if value.allSatisfy(\.isHexDigit) { out.append(value) }
            rest = UnsafeRawBufferPointer(rebasing: rest[(at + 4)...])
        }
        return out
    }

    static func profileName(_ p: String) -> String {
        switch p {
        case "42e0", "42c0", "4240", "42a0": "constrained baseline"
        case "4200": "baseline"
        case "4d00", "4d40": "main"
        case "640c": "constrained high"
        case "6400": "high"
        default: p
        }
    }

    public mutating func observe(_ e: EventView, _ context: inout AnalysisContext) {
        let m = e.message
        // SDP dumps: the side is named on the line that starts the dump (or on the dump's own line).
        if ByteMatch.contains(m, "setRemoteDescription") || ByteMatch.contains(m, "Remote SDP") {
            sdpIsRemote = true
        } else if ByteMatch.contains(m, "setLocalDescription") || ByteMatch.contains(m, "Local SDP") {
            sdpIsRemote = false
        }
        if let remote = sdpIsRemote, ByteMatch.contains(m, "profile-level-id=") || ByteMatch.contains(e.continuation, "profile-level-id=") {
            let found = Self.h264Profiles(m) + Self.h264Profiles(e.continuation)
            if remote {
                remoteProfiles.formUnion(found)
                if !found.isEmpty { remoteProfileLines.add(e, source: context.source) }
            } else {
                localProfiles.formUnion(found)
            }
            return
        }
        if ByteMatch.contains(m, "Called in wrong state") {
            return    // a description applied twice or out of turn: signalling order, not codecs
        }
        if ByteMatch.contains(m, "Failed to set remote") || ByteMatch.contains(m, "ERROR_CONTENT") || ByteMatch.contains(m, "No supported codec") {
            if ByteMatch.contains(m, "audio description") { audioSection = true }
            remote.add(e, source: context.source)
        } else if ByteMatch.contains(m, "Failed to set local") {
            if ByteMatch.contains(m, "audio description") { localAudioSection = true }
            local.add(e, source: context.source)
        } else if ByteMatch.contains(m, "Failed to demux RTP packet"), !ByteMatch.contains(m, "MID=probator") {
            unmatched.add(e, source: context.source)
            if let pt = ByteMatch.number(after: "PT=", in: m), unmatchedTypes.count < 8, !unmatchedTypes.contains(Int(pt)) {
                unmatchedTypes.append(Int(pt))
            }
        } else if ByteMatch.contains(m, "initEncodeInternal failed") || ByteMatch.contains(m, "Cannot create media encoder")
                    || ByteMatch.contains(m, "Cannot create media decoder") || ByteMatch.contains(m, "initDecodeInternal failed")
                    || ByteMatch.contains(m, "initEncode failed") || ByteMatch.contains(m, "initDecode failed")
                    || ByteMatch.contains(m, "Failed to create compression session:")
                    || ByteMatch.contains(m, "Failed to create decompression session:") {
            codecInit.add(e, source: context.source)
        }
    }

    public mutating func finish(_ context: inout AnalysisContext) -> [Finding] {
        let d = Self.description
        var out: [Finding] = []
        if !remote.isEmpty {
            // No common audio codec means no audio at all; video alone means no video.
            out.append(Finding(signature: d.id, title: d.name, subkind: "negotiation", cause: .server,
                               severity: audioSection ? .p0 : .p1, confidence: 0.7,
                               detail: "The remote description was refused (\(audioSection ? "audio" : "video") section): "
                                   + "the other side offered or answered codecs this client cannot use",
                               evidence: remote, remediation: d.remediation))
        }
        if !localProfiles.isEmpty, !remoteProfiles.isEmpty, localProfiles.isDisjoint(with: remoteProfiles) {
            let mine = localProfiles.sorted().map { "\($0) (\(Self.profileName($0)))" }.joined(separator: ", ")
            let theirs = remoteProfiles.sorted().map { "\($0) (\(Self.profileName($0)))" }.joined(separator: ", ")
            out.append(Finding(signature: d.id, title: d.name, subkind: "h264_profile", cause: .server, severity: .p1,
                               confidence: 0.6,
                               detail: "H.264 profiles do not overlap: this client's description lists \(mine), the remote one "
                                   + "\(theirs); H.264 video cannot be decoded on one side",
                               evidence: remoteProfileLines, remediation: d.remediation))
        }
        if !local.isEmpty {
            out.append(Finding(signature: d.id, title: d.name, subkind: "local_description", cause: .client,
                               severity: localAudioSection ? .p0 : .p1, confidence: 0.75,
                               detail: "This client's own description was refused (\(localAudioSection ? "audio" : "video") section): "
                                   + "its codec list cannot be applied (missing codecs in its factories, payload-type or RTX collisions)",
                               evidence: local, remediation: d.remediation))
        }
        if unmatched.count >= Self.unmatchedPacketThreshold {
            let types = unmatchedTypes.map(String.init).joined(separator: ", ")
            out.append(Finding(signature: d.id, title: d.name, subkind: "unnegotiated_payload", cause: .server, severity: .p2,
                               confidence: 0.6,
                               detail: "\(unmatched.count) RTP packets carried payload types that were not negotiated (PT \(types)): "
                                   + "the remote side sends a codec the answer did not agree on",
                               evidence: unmatched, measurements: [("packets", Double(unmatched.count))],
                               remediation: d.remediation))
        }
        if !codecInit.isEmpty {
            var detail = "The hardware codec failed to initialise \(codecInit.count) time(s); software fallback"
            if let device = context.device.summary { detail += " on \(device)" }
            out.append(Finding(signature: d.id, title: d.name, subkind: "codec_init", cause: .client, severity: .p2,
                               confidence: 0.75, detail: detail, evidence: codecInit,
                               measurements: [("failures", Double(codecInit.count))], remediation: d.remediation))
        }
        return out
    }
}
