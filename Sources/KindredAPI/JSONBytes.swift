/// JSON written straight into bytes, spelled as `JSONCoding`'s encoders spell it: strings with
/// `"`, `\` and the control characters escaped (`\b \t \n \f \r` short, the others as `\u00xx`)
/// and everything else, `/` included, as its UTF-8; numbers as their shortest `description`
/// without a trailing `.0`. For the one answer the server writes on every request
/// (`RelatedResponse.jsonBytes`), where Foundation's `JSONEncoder` took a sixth of a by-id load's
/// CPU; tests compare the two on every field and every control character.
struct JSONBytes {
    private(set) var bytes: [UInt8]
    /// No member of the object being written has been yet (no comma before the next key).
    private var opening = true

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Literals and keys, written as they are.
    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `{`, the members `body` writes (each begun by `key`), `}`.
    mutating func object(_ body: (inout JSONBytes) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        let outer = opening
        opening = true
        body(&self)
        opening = outer
        bytes.append(UInt8(ascii: "}"))
    }

    /// `"key":`, after a comma unless it is its object's first.
    mutating func key(_ name: StaticString) {
        if !opening { bytes.append(UInt8(ascii: ",")) }
        opening = false
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var plain = 0
            for (i, byte) in utf8.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<i]))
                escape(byte)
                plain = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        default:
            let hex: StaticString = "0123456789abcdef"
            raw("u00")
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 15)])
            }
        }
    }

    mutating func string(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    mutating func number(_ value: Int) { bytes.append(contentsOf: value.description.utf8) }
    mutating func number(_ value: Double) { decimal(value.description) }
    mutating func number(_ value: Float) { decimal(value.description) }

    /// A finite number's `description`, whole numbers without their `.0`, as `JSONEncoder` writes it.
    private mutating func decimal(_ text: String) {
        let utf8 = text.utf8
        bytes.append(contentsOf: text.hasSuffix(".0") ? utf8.dropLast(2) : utf8[...])
    }

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// `[` the elements written by `element`, comma-separated `]`.
    mutating func array<Element>(_ elements: [Element], _ element: (inout JSONBytes, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in elements.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            element(&self, value)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
