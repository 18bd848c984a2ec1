/// Splits text into word, number and CJK tokens on Unicode properties (a simplified UAX #29).
///
/// - A token is a run of letters and digits, so model numbers stay whole (`200MP`, `17`).
/// - Combining marks continue the token they follow.
/// - An apostrophe (`'` or `’`) between two letters stays in the token (`leica's`, `l'appareil`);
///   `ApostropheFilter` decides later what to make of it.
/// - Between two digits a `.` stays (`3.5`) and a `,` is dropped as a thousands separator
///   (`6,000` → `6000`).
/// - Hyphens, slashes and other punctuation split (`wi-fi` → `wi`, `fi`).
/// - Runs of Han, Hiragana, Katakana or Hangul are kept as one `.cjk` token.
/// - Tokens shorter than `minimumLength` (default 2; CJK exempt) or longer than `maximumLength`
///   (default 40: URLs, hashes) are dropped without a gap in positions.
public struct Tokenizer: Sendable {
    public var minimumLength: Int
    public var maximumLength: Int

    public init(minimumLength: Int = 2, maximumLength: Int = 40) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
    }

    public func tokenize(_ text: String) -> [Token] {
        // Most text (and all of some archives) is ASCII: bytes, without decoding scalars.
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 < 0x80 } ? tokenizeASCII(bytes) : nil
        }
        if let tokens = ascii ?? nil { return tokens }
        return tokenizeScalars(text)
    }

    /// `tokenize` for ASCII text, the same rules on bytes: a token's bytes are gathered in one
    /// buffer and become a `String` once, where the general path appends scalar by scalar. For
    /// ASCII the two give the same tokens (a test compares them on a corpus).
    func tokenizeASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> [Token] {
        enum Class { case letter, digit, other }
        @inline(__always) func classify(_ byte: UInt8) -> Class {
            switch byte {
            case 0x30...0x39: .digit
            case 0x41...0x5A, 0x61...0x7A: .letter
            default: .other
            }
        }
        var tokens: [Token] = []
        var current: [UInt8] = []
        current.reserveCapacity(64)
        var inToken = false, hasLetter = false
        var length = 0  // letters and digits, as in the general path
        func flush() {
            defer {
                current.removeAll(keepingCapacity: true)
                inToken = false
                hasLetter = false
                length = 0
            }
            guard length > 0, length >= minimumLength, length <= maximumLength else { return }
            tokens.append(
                Token(
                    String(decoding: current, as: UTF8.self), position: tokens.count, kind: hasLetter ? .word : .number)
            )
        }
        for i in bytes.indices {
            let byte = bytes[i]
            switch classify(byte) {
            case .letter:
                current.append(byte)
                hasLetter = true
                length += 1
                inToken = true
            case .digit:
                current.append(byte)
                length += 1
                inToken = true
            case .other:
                guard inToken else { continue }
                let previous = i > 0 ? classify(bytes[i - 1]) : .other
                let next = i + 1 < bytes.count ? classify(bytes[i + 1]) : .other
                if byte == UInt8(ascii: "'"), previous == .letter, next == .letter {
                    current.append(byte)
                } else if byte == UInt8(ascii: "."), previous == .digit, next == .digit {
                    current.append(byte)
                } else if byte == UInt8(ascii: "_"), previous != .other, next != .other {
                    current.append(byte)
                } else if byte == UInt8(ascii: ","), previous == .digit, next == .digit {
                    // A thousands separator: join the digit groups.
                } else {
                    flush()
                }
            }
        }
        flush()
        return tokens
    }

    /// `tokenize` for any text, scalar by scalar.
    ///
    /// Over 60 lines on purpose: one loop over the scalars with the word being built in local
    /// state, whose cases (letters, digits, joiners between them, CJK, separators) read best side by
    /// side; split into functions, each would take and return that state.
    func tokenizeScalars(_ text: String) -> [Token] {
        var tokens: [Token] = []
        let scalars = Array(text.unicodeScalars)
        var current = String.UnicodeScalarView()
        var currentKind = CharacterClass.other
        var hasLetter = false
        var length = 0

        func flush() {
            defer {
                current = String.UnicodeScalarView()
                currentKind = .other
                hasLetter = false
                length = 0
            }
            guard length > 0 else { return }
            if currentKind == .cjk {
                tokens.append(Token(String(current), position: tokens.count, kind: .cjk))
                return
            }
            guard length >= minimumLength, length <= maximumLength else { return }
            tokens.append(Token(String(current), position: tokens.count, kind: hasLetter ? .word : .number))
        }

        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            let kind = CharacterClass(scalar)
            switch kind {
            case .cjk:
                if currentKind != .cjk { flush() }
                current.append(scalar)
                currentKind = .cjk
                length += 1
            case .letter, .digit, .mark:
                if currentKind == .cjk { flush() }
                if kind == .mark && length == 0 { break }
                current.append(scalar)
                if kind == .letter { hasLetter = true }
                if kind != .mark { length += 1 }
                currentKind = .letter
            case .other:
                let previous = i > 0 ? CharacterClass(scalars[i - 1]) : .other
                let next = i + 1 < scalars.count ? CharacterClass(scalars[i + 1]) : .other
                if currentKind == .letter, Self.isApostrophe(scalar), previous == .letter, next == .letter {
                    current.append("'")
                } else if currentKind == .letter, previous == .digit, next == .digit, scalar == "." {
                    current.append(scalar)
                } else if currentKind == .letter, scalar == "_", previous == .letter || previous == .digit,
                    next == .letter || next == .digit
                {
                    current.append(scalar)
                } else if currentKind == .letter, previous == .digit, next == .digit, scalar == "," {
                    // A thousands separator: join the digit groups.
                } else {
                    flush()
                }
            }
            i += 1
        }
        flush()
        return tokens
    }

    static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "\u{2019}" || scalar == "\u{02BC}"
    }
}

/// How the tokenizer treats one Unicode scalar.
enum CharacterClass {
    case letter, digit, mark, cjk, other

    init(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x30...0x39: self = .digit
            case 0x41...0x5A, 0x61...0x7A: self = .letter
            default: self = .other
            }
            return
        }
        if CharacterClass.isCJK(value) {
            self = .cjk
            return
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .decimalNumber: self = .digit
        case .nonspacingMark, .spacingMark, .enclosingMark: self = .mark
        default: self = properties.isAlphabetic ? .letter : .other
        }
    }

    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x3040...0x30FF,  // Hiragana, Katakana
            0x3400...0x4DBF,  // CJK Extension A
            0x4E00...0x9FFF,  // CJK Unified Ideographs
            0xAC00...0xD7AF,  // Hangul syllables
            0x1100...0x11FF, 0x3130...0x318F,  // Hangul jamo
            0x31F0...0x31FF, 0xFF66...0xFF9F,  // Katakana extensions, half-width
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0x20000...0x2FFFF:  // CJK Extensions B–F
            return true
        default:
            return false
        }
    }
}
