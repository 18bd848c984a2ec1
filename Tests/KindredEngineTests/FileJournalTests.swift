import Foundation
import Testing

@testable import KindredEngine

/// The model directory's own journal behind `ChangeJournal`: what the server's one write path
/// relies on (numbering, counting, coalescing, compaction) and the reindex lock.
@Suite("File journal")
struct FileJournalTests {
    func put(_ id: String, _ title: String) -> JournalEntry {
        JournalEntry(sequence: 0, operation: .put(text: Article(id: id, title: title)))
    }

    @Test("sequences continue past the highest a kept version absorbed, even with the file emptied")
    func numbering() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        try directory.publish(try ModelBuilder().build(Sample.articles, journalSequence: 41).model)
        let journal = directory.journal()
        #expect(try journal.entries(after: 0).entries.isEmpty)
        let written = try journal.append([put("a", "A"), put("b", "B")])
        #expect(written.map(\.sequence) == [42, 43])
        // Another instance (a restart) reads the file and goes on from it.
        let restarted = directory.journal()
        #expect(try restarted.entries(after: 41).entries.map(\.sequence) == [42, 43])
        #expect(try restarted.append([put("c", "C")]).map(\.sequence) == [44])
        #expect(try restarted.count(after: 41) == 3 && restarted.count(after: 43) == 1)
        // Compacted to nothing, the next write still counts on.
        try restarted.compact(through: 44)
        #expect(try restarted.count(after: 0) == 0)
        #expect(try restarted.append([put("d", "D")]).map(\.sequence) == [45])
    }

    @Test("coalescing keeps the last entry per article; the catch-up after its own write reads nothing")
    func coalescing() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        try directory.publish(Sample.model)
        let journal = directory.journal()
        _ = try journal.append([put("a", "A1"), put("b", "B1"), put("a", "A2")])
        _ = try journal.append([JournalEntry(sequence: 0, operation: .delete("b"))])
        #expect(try journal.count(after: 0) == 4)
        try journal.coalesce()
        #expect(try journal.count(after: 0) == 2)
        let entries = try Journal.read(path: journal.path).entries
        #expect(entries.map(\.sequence) == [3, 4] && entries.map(\.articleID) == ["a", "b"])
        #expect(try journal.entries(after: 4).entries.isEmpty)
        #expect(try journal.entries(after: 3).entries.map(\.sequence) == [4])
    }

    @Test("one reindex at a time: the second lock on a directory is refused, and free once the first is dropped")
    func reindexLock() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        // A directory not made yet has nothing to lock, and a failed reindex must not make it.
        _ = try ModelDirectory(path: root + "/models").journal().lockForReindex()
        #expect(!FileManager.default.fileExists(atPath: root + "/models"))
        let journal = ModelDirectory(path: root).journal()
        var first: AnyObject? = try journal.lockForReindex()
        #expect(first != nil)
        #expect {
            _ = try journal.lockForReindex()
        } throws: { "\($0)".contains("another 'kindred reindex' is publishing into this directory") }
        first = nil
        #expect(try journal.lockForReindex() is AnyObject)
    }

    @Test("overrides are the directory's file, stamped by their content")
    func overrides() throws {
        let root = try temporaryDirectory()
        defer { cleanUp(root) }
        let directory = ModelDirectory(path: root)
        let journal = directory.journal()
        let before = try journal.overrides()
        try journal.setOverrides(.init(pinned: ["b"]), for: "a")
        let after = try journal.overrides()
        #expect(after.overrides.entry(for: "a")?.pinned == ["b"])
        #expect(after.stamp != before.stamp)
        #expect(try directory.overrides() == after.overrides)
        #expect(try journal.overrides().stamp == after.stamp)
    }
}
