import Foundation
import Testing

/// The README's plugin author's guide stays true: its C plugin builds with the
/// documented flags (plus -Werror -pedantic) and its tasks answer as shown.
@Suite struct ReadmeGuideTests {
    static func guidePlugin() throws -> String {
        let readme = try String(contentsOfFile: PluginBuilder.repositoryRoot.appendingPathComponent("README.md").path, encoding: .utf8)
        let start = try #require(readme.range(of: "```c\n/* hello.c"))
        let body = readme[start.upperBound...]
        let end = try #require(body.range(of: "\n```"))
        let source = "/* hello.c" + body[..<end.lowerBound] + "\n"
        return try PluginBuilder.build(name: "readme-hello", source: source)
    }

    @Test func guidePluginAnswersAsDocumented() throws {
        let plugin = try Self.guidePlugin()
        let add = try ChorusBinary.run(["call", "hello.add", "2", "3", "--plugin", plugin])
        #expect(add.status == 0)
        #expect(add.stdout == "5\n")
        let greet = try ChorusBinary.run(["call", "hello.greet", "world", "times=2", "--plugin", plugin])
        #expect(greet.stdout == "\"Hello, world! Hello, world!\"\n")
        let refused = try ChorusBinary.run(["call", "hello.greet", "world", "0", "--plugin", plugin])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("times must be between 1 and 10"))
        let wrongType = try ChorusBinary.run(["call", "hello.greet", "42", "1", "--plugin", plugin])
        #expect(wrongType.status == 65)
        #expect(wrongType.stderr.contains("hello.greet: argument name: expected string, got integer 42"))
    }
}
