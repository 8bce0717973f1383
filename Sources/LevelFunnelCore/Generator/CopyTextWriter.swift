/// A growable byte buffer for PostgreSQL `COPY ... FROM STDIN` text format, with the few formatters the
/// generator needs (integers, millisecond durations, timestamps), none of them allocating.
///
/// Values written with `appendRaw`/`appendStatic` must already be safe for the text format (no backslash, tab,
/// newline or carriage return); anything else goes through `appendEscaped`.
struct CopyTextWriter: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count: Int = 0
    private var capacity: Int

    // The civil date of the last day formatted, so that consecutive timestamps skip the conversion.
    private var cachedOrdinal: Int = .min
    private var cachedYear = 0, cachedMonth = 0, cachedDay = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far, as a new array; then empties the buffer (keeping its memory).
    mutating func take() -> [UInt8] {
        let out = [UInt8](UnsafeBufferPointer(start: base, count: count))
        count = 0
        return out
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if _slowPath(count + n > capacity) { grow(to: count + n) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    // MARK: raw bytes

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func appendStatic(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        reserve(n)
        (base + count).update(from: text.utf8Start, count: n)
        count += n
    }

    @inline(__always)
    mutating func appendRaw(_ bytes: [UInt8]) {
        let n = bytes.count
        reserve(n)
        bytes.withUnsafeBufferPointer { (base + count).update(from: $0.baseAddress!, count: n) }
        count += n
    }

    /// Appends `bytes` escaped for the COPY text format: backslash, tab, newline and carriage return.
    mutating func appendEscaped<S: Sequence<UInt8>>(_ bytes: S) {
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): append(UInt8(ascii: "\\")); append(UInt8(ascii: "\\"))
            case 0x09: append(UInt8(ascii: "\\")); append(UInt8(ascii: "t"))
            case 0x0A: append(UInt8(ascii: "\\")); append(UInt8(ascii: "n"))
            case 0x0D: append(UInt8(ascii: "\\")); append(UInt8(ascii: "r"))
            default: append(b)
            }
        }
    }

    /// The COPY text form of `text` (escaped), for values computed once and written many times.
    static func escaped(_ text: String) -> [UInt8] {
        var w = CopyTextWriter(capacity: text.utf8.count * 2 + 8)
        w.appendEscaped(text.utf8)
        return w.take()
    }

    // MARK: numbers

    /// Decimal digits of a non-negative value, left-padded with zeros to `width`.
    @inline(__always)
    mutating func appendUnsigned(_ value: UInt64, width: Int = 1) {
        var digits = 1
        var probe = value
        while probe >= 10 { probe /= 10; digits += 1 }
        let n = max(digits, width)
        reserve(n)
        var v = value
        var i = count + n - 1
        while i >= count {
            base[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
            v /= 10
            i -= 1
        }
        count += n
    }

    @inline(__always)
    mutating func appendInt(_ value: Int) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendUnsigned(value.magnitude.toUInt64)
        } else {
            appendUnsigned(UInt64(value))
        }
    }

    /// Milliseconds as a decimal number of seconds with trailing zeros dropped: 37500 → `37.5`, 12000 → `12`.
    @inline(__always)
    mutating func appendSeconds(milliseconds ms: Int) {
        if ms < 0 { append(UInt8(ascii: "-")) }
        let m = ms.magnitude
        appendUnsigned(UInt64(m / 1000))
        var frac = Int(m % 1000)
        guard frac != 0 else { return }
        append(UInt8(ascii: "."))
        var digits = 3
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        appendUnsigned(UInt64(frac), width: digits)
    }

    @inline(__always)
    private mutating func twoDigits(_ v: Int) {
        reserve(2)
        base[count] = UInt8(truncatingIfNeeded: v / 10) &+ 48
        base[count + 1] = UInt8(truncatingIfNeeded: v % 10) &+ 48
        count += 2
    }

    /// `YYYY-MM-DD HH:MM:SS.mmm+00` for milliseconds since 1970-01-01 UTC (years 0...9999).
    mutating func appendTimestamp(milliseconds ms: Int64) {
        let msPerDay: Int64 = 86_400_000
        var ordinal = ms / msPerDay
        var inDay = ms % msPerDay
        if inDay < 0 { inDay += msPerDay; ordinal -= 1 }
        if Int(ordinal) != cachedOrdinal {
            cachedOrdinal = Int(ordinal)
            (cachedYear, cachedMonth, cachedDay) = Day(ordinal: cachedOrdinal).civil
        }
        appendUnsigned(UInt64(max(0, cachedYear)), width: 4)
        append(UInt8(ascii: "-"))
        twoDigits(cachedMonth)
        append(UInt8(ascii: "-"))
        twoDigits(cachedDay)
        append(UInt8(ascii: " "))
        let t = Int(inDay)
        twoDigits(t / 3_600_000)
        append(UInt8(ascii: ":"))
        twoDigits(t / 60_000 % 60)
        append(UInt8(ascii: ":"))
        twoDigits(t / 1000 % 60)
        append(UInt8(ascii: "."))
        appendUnsigned(UInt64(t % 1000), width: 3)
        appendStatic("+00")
    }

}

private extension UInt {
    var toUInt64: UInt64 { UInt64(self) }
}
