import CKindredKernels
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes a large new file durably, bypassing the page cache where the file system allows it
/// (`O_DIRECT`), for the model file.
///
/// Why: the model is fsynced anyway, so staging it in the page cache only adds a copy into
/// freshly allocated kernel pages before the same bytes go to disk. On a VM whose host backs
/// guest memory lazily, that copy is most of the write (`dd` buffered against direct shows it).
/// Bytes are gathered into an aligned staging buffer and written
/// in whole blocks; the last block is padded and the file truncated back to its length. File
/// systems that refuse `O_DIRECT` (tmpfs, some network file systems) get ordinary writes.
///
/// The first block is written last, so a caller can fill in a header it only knows at the end
/// (`finish(header:)`).
final class DirectFileWriter {
    let file: String
    private let descriptor: Int32
    /// Whether `O_DIRECT` was accepted: then every write is a whole number of aligned blocks.
    let isDirect: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    /// Where `buffer`'s first byte goes in the file.
    private var bufferOffset = 0
    /// The file's first block, kept back until `finish` (nil until the first flush).
    private var firstBlock: UnsafeMutableRawBufferPointer?

    /// The block size direct writes are aligned to: the page size, which is a multiple of every
    /// common logical block size (512 B, 4 KiB).
    static let blockSize = 4096
    /// Bytes gathered per `write(2)` by default.
    static let defaultBufferSize = 8 << 20

    /// Creates (or truncates) `file`.
    ///
    /// - Parameters:
    ///   - bypassingCache: try `O_DIRECT` (tests turn it off to cover the fallback, which no file
    ///     system on the development machine needs: its kernel accepts `O_DIRECT` even on tmpfs).
    ///   - bufferSize: bytes gathered per write, rounded up to whole blocks.
    /// - Throws: `ModelFileError` when the file can't be created.
    init(file: String, bypassingCache: Bool = true, bufferSize: Int = DirectFileWriter.defaultBufferSize) throws {
        self.file = file
        let direct = bypassingCache ? kindred_open_direct_flag() : 0
        var descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | direct | O_CLOEXEC, 0o644)
        var isDirect = direct != 0
        if descriptor < 0 && errno == EINVAL && direct != 0 {
            descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            isDirect = false
        }
        guard descriptor >= 0 else {
            throw ModelFileError(
                file: file, section: nil, reason: "can't create the file: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        self.isDirect = isDirect
        let blocks = max(2, (bufferSize + Self.blockSize - 1) / Self.blockSize)
        buffer = .allocate(byteCount: blocks * Self.blockSize, alignment: Self.blockSize)
    }

    deinit {
        buffer.deallocate()
        firstBlock?.deallocate()
        close(descriptor)
    }

    /// Appends `bytes` to the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = min(bytes.count - done, buffer.count - filled)
            (buffer.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + done, byteCount: count)
            filled += count
            done += count
            if filled == buffer.count { try flush() }
        }
    }

    /// Writes what is buffered, except the file's first block (kept for `finish`), and empties the
    /// buffer. Only called with a full buffer, so every write is whole blocks.
    private func flush() throws {
        var start = 0
        if bufferOffset == 0 {
            let first = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockSize, alignment: Self.blockSize)
            first.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer.prefix(Self.blockSize)))
            firstBlock = first
            start = Self.blockSize
        }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[start..<filled]), at: bufferOffset + start)
        bufferOffset += filled
        filled = 0
    }

    /// Writes the rest, puts `header` at the start of the file, sets the file's length and
    /// fsyncs it.
    ///
    /// - Throws: `ModelFileError` when a write or the fsync fails.
    func finish(header: UnsafeRawBufferPointer) throws {
        let length = bufferOffset + filled
        precondition(
            header.count <= Self.blockSize && header.count <= length, "the header must fit the file's first block")
        let padded = pad(filled)
        if bufferOffset == 0 {
            // The whole file fits in the buffer: it is its own first block.
            (buffer.baseAddress!).copyMemory(from: header.baseAddress!, byteCount: header.count)
            try writeAll(UnsafeRawBufferPointer(rebasing: buffer.prefix(padded)), at: 0)
        } else {
            if padded > 0 { try writeAll(UnsafeRawBufferPointer(rebasing: buffer.prefix(padded)), at: bufferOffset) }
            let first = firstBlock!
            first.baseAddress!.copyMemory(from: header.baseAddress!, byteCount: header.count)
            try writeAll(UnsafeRawBufferPointer(first), at: 0)
        }
        guard ftruncate(descriptor, off_t(length)) == 0 else { throw failure("can't set the file's length") }
        guard fsync(descriptor) == 0 else { throw failure("fsync failed") }
    }

    /// `count` rounded up to whole blocks, the padding zeroed (direct writes only; buffered
    /// writes are not padded).
    private func pad(_ count: Int) -> Int {
        guard isDirect else { return count }
        let padded = (count + Self.blockSize - 1) / Self.blockSize * Self.blockSize
        (buffer.baseAddress! + count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - count)
        return padded
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let written = pwrite(
                descriptor, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30), off_t(offset + done))
            if written < 0 {
                if errno == EINTR { continue }
                throw failure("write failed")
            }
            done += written
        }
    }

    private func failure(_ what: String) -> ModelFileError {
        ModelFileError(file: file, section: nil, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
