/// The one-line canvas syntax, for typing a workflow on a command line.
///
/// Examples:
/// ```
/// add(1, 2)                              a task with positional args
/// images.resize("a.png", width=640)      dotted names, keyword args
/// add(1, 2) | mul(10)                    a chain: mul(3, 10)
/// si:add(1, 2)                           immutable: ignores the parent's result (Celery's .si())
/// group(add(1, 2), add(3, 4))            a group
/// chord(a(1), b(x=2)) | total()          a chord: total([a, b]) once both are done
/// chord(a(1), b(2), body=total())        the same, with the body inside
/// group(a(), b()) | total()              a group followed by a task is a chord too
/// (a() | b()) | c()                      parentheses group pipelines
/// add(1, 2).on_success(log()).on_error(alert())
/// ```
///
/// Grammar (whitespace is allowed between tokens):
/// ```
/// canvas    := pipeline END
/// pipeline  := term ("|" term)*
/// term      := primary suffix*
/// suffix    := ".on_success(" pipeline ")"          -- link (Celery's rules; on a group, member 0 only)
///            | ".on_error(" pipeline ")"            -- link_error: gets the failed id (+ error message
///                                                       if it declares 2 free parameters)
/// primary   := "(" pipeline ")"
///            | "group(" [pipelines] ")"
///            | "chain(" [pipelines] ")"
///            | "chord(" [pipelines] ["," "body=" pipeline] ")"  -- without body=, the next "|" term is the body
///            | ["si:"] name "(" [arguments] ")"
/// pipelines := pipeline ("," pipeline)* [","]
/// name      := segment ("." segment)*       segment := [A-Za-z_][A-Za-z0-9_-]*
/// arguments := argument ("," argument)* [","]  -- positional arguments come first
/// argument  := value | identifier "=" value     identifier := [A-Za-z_][A-Za-z0-9_]*
/// value     := a JSON literal: "string", 12, -1.5e3, true, false, null, [1, 2], {"a": 1}
/// ```
/// `group`, `chain` and `chord` are reserved when followed by `(`; a task of
/// that name needs a dotted name. Strings take double quotes only. Wrap the
/// whole canvas in single quotes in a shell.
///
/// Errors are `ChorusError(.invalidInput, "invalid canvas at column N: ...")`,
/// N being the 1-based character position of the problem.
extension Canvas {
    /// Parses the one-line canvas syntax described above.
    public init(parsing text: String) throws(ChorusError) {
        var parser = CanvasParser(text)
        self = try parser.parseCanvas()
    }
}
