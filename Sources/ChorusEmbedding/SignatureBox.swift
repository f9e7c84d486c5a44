import CChorus
import Chorus
import Synchronization

/// `@unchecked Sendable`: the canvas lives behind a lock.
final class SignatureBox: HandleBox, @unchecked Sendable {
    override class var kind: String { "chorus_signature" }
    private let value: Mutex<Canvas>

    init(_ canvas: Canvas) { value = Mutex(canvas) }

    var canvas: Canvas { value.withLock { $0 } }

    func update(_ body: (inout Canvas) throws(APIError) -> Void) throws(APIError) {
        try value.withLock { (canvas: inout Canvas) throws(APIError) in try body(&canvas) }
    }
}

/// JSON text from C, parsed.
func parsedJSON(_ pointer: UnsafePointer<CChar>?, _ what: String) throws(APIError) -> JSON {
    let text = try Entry.text(pointer, what)
    do {
        return try JSON(parsing: text)
    } catch {
        throw APIError(CHORUS_E_ARGUMENT, "\(what) is not valid JSON: \(error)")
    }
}

/// The canvases behind an array of signature handles.
func canvases(_ members: UnsafePointer<OpaquePointer?>?, _ count: Int, _ what: String) throws(APIError) -> [Canvas] {
    guard let members else { throw APIError(CHORUS_E_ARGUMENT, "\(what) is NULL") }
    guard count >= 1 else { throw APIError(CHORUS_E_ARGUMENT, "\(what) needs at least one signature, got 0") }
    var out: [Canvas] = []
    for i in 0..<count {
        do throws(APIError) {
            out.append(try HandleTable.shared.lookup(members[i], as: SignatureBox.self).canvas)
        } catch {
            throw APIError(error.status, "\(what)[\(i)]: \(error.message)")
        }
    }
    return out
}

func insertSignature(_ canvas: Canvas, _ out: UnsafeMutablePointer<OpaquePointer?>?, _ what: String) throws(APIError) {
    let out = try Entry.output(out, what)
    out.pointee = HandleTable.shared.insert(SignatureBox(canvas))
}

@_cdecl("chorus_signature_from_json")
public func cSignatureFromJSON(_ json: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_signature_from_json") { () throws(APIError) in
        let text = try Entry.text(json, "json")
        _ = try Entry.output(out, "signature_out")
        let canvas: Canvas
        do throws(ChorusError) {
            canvas = try Canvas(parsingJSON: text)
        } catch {
            throw APIError(error)
        }
        try insertSignature(canvas, out, "signature_out")
    }
}

@_cdecl("chorus_signature_new")
public func cSignatureNew(_ task: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_signature_new") { () throws(APIError) in
        let name = try Entry.text(task, "task")
        guard !name.isEmpty else { throw APIError(CHORUS_E_ARGUMENT, "task name is empty") }
        try insertSignature(.task(Signature(name)), out, "signature_out")
    }
}

@_cdecl("chorus_signature_destroy")
public func cSignatureDestroy(_ signature: OpaquePointer?) {
    _ = HandleTable.shared.remove(signature, as: SignatureBox.self)
}

@_cdecl("chorus_signature_add_arg")
public func cSignatureAddArg(_ signature: OpaquePointer?, _ json: UnsafePointer<CChar>?) -> chorus_status {
    Entry.call("chorus_signature_add_arg", signature, as: SignatureBox.self) { box throws(APIError) in
        let value = try parsedJSON(json, "json")
        try box.update { (canvas: inout Canvas) throws(APIError) in
            switch canvas {
            case .task(var s): s.args.append(value); canvas = .task(s)
            case .chain(var c): c.args.append(value); canvas = .chain(c)
            case .group(var g): g.args.append(value); canvas = .group(g)
            case .chord(var c): c.args.append(value); canvas = .chord(c)
            }
        }
    }
}

@_cdecl("chorus_signature_add_kwarg")
public func cSignatureAddKwarg(_ signature: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ json: UnsafePointer<CChar>?) -> chorus_status {
    Entry.call("chorus_signature_add_kwarg", signature, as: SignatureBox.self) { box throws(APIError) in
        let key = try Entry.text(name, "name")
        guard !key.isEmpty else { throw APIError(CHORUS_E_ARGUMENT, "keyword argument name is empty") }
        let value = try parsedJSON(json, "json")
        try box.update { (canvas: inout Canvas) throws(APIError) in
            switch canvas {
            case .task(var s): s.kwargs[key] = value; canvas = .task(s)
            case .chain(var c): c.kwargs[key] = value; canvas = .chain(c)
            case .group(var g): g.kwargs[key] = value; canvas = .group(g)
            case .chord(var c): c.kwargs[key] = value; canvas = .chord(c)
            }
        }
    }
}

@_cdecl("chorus_signature_json")
public func cSignatureJSON(_ signature: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_signature_json", signature, as: SignatureBox.self) { box throws(APIError) in
        try ownedCString(box.canvas.json.serialized(), into: try Entry.output(out, "json_out"))
    }
}

@_cdecl("chorus_chain")
public func cChain(_ members: UnsafePointer<OpaquePointer?>?, _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_chain") { () throws(APIError) in
        try insertSignature(.chain(Chain(try canvases(members, count, "members"))), out, "chain_out")
    }
}

@_cdecl("chorus_group")
public func cGroup(_ members: UnsafePointer<OpaquePointer?>?, _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_group") { () throws(APIError) in
        try insertSignature(.group(Group(try canvases(members, count, "members"))), out, "group_out")
    }
}

@_cdecl("chorus_chord")
public func cChord(
    _ header: UnsafePointer<OpaquePointer?>?, _ count: Int, _ body: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> chorus_status {
    out?.pointee = nil
    return Entry.call("chorus_chord") { () throws(APIError) in
        let members = try canvases(header, count, "header")
        let bodyCanvas: Canvas
        do throws(APIError) {
            bodyCanvas = try HandleTable.shared.lookup(body, as: SignatureBox.self).canvas
        } catch {
            throw APIError(error.status, "body: \(error.message)")
        }
        try insertSignature(.chord(Chord(members, body: bodyCanvas)), out, "chord_out")
    }
}

@_cdecl("chorus_link")
public func cLink(_ signature: OpaquePointer?, _ callback: OpaquePointer?) -> chorus_status {
    Entry.call("chorus_link", signature, as: SignatureBox.self) { box throws(APIError) in
        let callback = try HandleTable.shared.lookup(callback, as: SignatureBox.self).canvas.signature
        try box.update { (canvas: inout Canvas) throws(APIError) in
            do throws(ChorusError) { try canvas.link(callback) } catch { throw APIError(error) }
        }
    }
}

@_cdecl("chorus_link_error")
public func cLinkError(_ signature: OpaquePointer?, _ errback: OpaquePointer?) -> chorus_status {
    Entry.call("chorus_link_error", signature, as: SignatureBox.self) { box throws(APIError) in
        let errback = try HandleTable.shared.lookup(errback, as: SignatureBox.self).canvas.signature
        try box.update { (canvas: inout Canvas) throws(APIError) in canvas.linkError(errback) }
    }
}
