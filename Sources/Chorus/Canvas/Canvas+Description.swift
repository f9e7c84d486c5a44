/// Renders a canvas in the one-line syntax (see `CanvasSyntax.swift`), for
/// logs and the command line. Task links and errbacks are shown as
/// `.on_success(...)` / `.on_error(...)`; other options (ids, queues, ...) are
/// not shown. A canvas without options reads back to an equal canvas.
extension Canvas: CustomStringConvertible {
    public var description: String {
        switch self {
        case .task(let s):
            var text = (s.immutable ? "si:" : "") + s.task + "(" + Canvas.arguments(s) + ")"
            for callback in s.options.link { text += ".on_success(\(Canvas.render(callback)))" }
            for errback in s.options.linkError { text += ".on_error(\(Canvas.render(errback)))" }
            return text
        case .chain(let c):
            return c.tasks.isEmpty ? "chain()" : c.tasks.map(Canvas.step).joined(separator: " | ")
        case .group(let g):
            return "group(" + g.tasks.map(\.description).joined(separator: ", ") + ")"
        case .chord(let c):
            let members = c.header.tasks.map(\.description) + ["body=\(c.body.description)"]
            return "chord(" + members.joined(separator: ", ") + ")"
        }
    }

    /// A chain step; nested chains keep their parentheses so the shape survives.
    private static func step(_ c: Canvas) -> String {
        if case .chain = c { return "(" + c.description + ")" }
        return c.description
    }

    private static func render(_ s: Signature) -> String {
        (try? Canvas(signature: s))?.description ?? s.task + "(...)"
    }

    private static func arguments(_ s: Signature) -> String {
        let positional = s.args.map(\.description)
        let keywords = s.kwargs.map { "\($0.key)=\($0.value.description)" }
        return (positional + keywords).joined(separator: ", ")
    }
}
