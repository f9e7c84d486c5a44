import Chorus
import Foundation
import Testing

/// `chorus history` on the built binary, on a database a real `chorus apply` wrote.
@Suite struct HistoryCommandTests {
    /// `chorus history` of a chain's result id (its last task) lists that
    /// task and says, on stderr, which root lists the whole workflow; the
    /// root id lists both steps.
    @Test func historyOfAWorkflowMemberPointsAtItsRoot() throws {
        let dir = PluginBuilder.makePrivateDirectory(prefix: "chorus-history")
        let db = "\(dir)/h.db"
        let applied = try ChorusBinary.run(["apply", "add(1, 2) | add(3)", "--db", db, "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        let output = try JSON(parsing: applied.stdout)
        let last = try #require(output["id"]?.stringValue)
        let root = try #require(output["attempts"]?.arrayValue?.first?["root_id"]?.stringValue)
        #expect(root != last)

        let member = try ChorusBinary.run(["history", last, "--db", db])
        #expect(member.status == 0)
        #expect(member.stdout.contains(String(last.prefix(8))) && !member.stdout.contains(String(root.prefix(8))))
        #expect(member.stderr == "note: task \(last) belongs to workflow \(root); `chorus history \(root)` lists all of it\n")

        let whole = try ChorusBinary.run(["history", root, "--db", db])
        #expect(whole.status == 0)
        #expect(whole.stdout.contains(String(last.prefix(8))) && whole.stdout.contains(String(root.prefix(8))))
        #expect(whole.stderr.isEmpty)
    }
}
