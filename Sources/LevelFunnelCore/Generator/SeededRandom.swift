/// SplitMix64: a tiny, fast, seedable generator (Steele, Lea & Flood), good enough for synthetic data.
///
/// Every player of the generator owns one, seeded from the run's seed and the player's index, so that a
/// player's history does not depend on the order in which players are simulated. `levelfunnel stress` draws its
/// readers' queries from it too.
public struct SplitMix64 {
    var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A seed derived from `seed` and a stream number, well mixed so that neighbouring streams differ.
    public static func derive(_ seed: UInt64, stream: UInt64) -> UInt64 {
        var r = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        _ = r.next()
        return r.next()
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in 0..<n (n > 0); the tiny bias of the multiply-shift method does not matter here.
    @inline(__always)
    public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(truncatingIfNeeded: n)) >> 32)
    }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Roughly standard normal (Irwin–Hall sum of four uniforms, rescaled): cheap and bounded (±3.46).
    @inline(__always)
    mutating func gaussian() -> Double {
        (unit() + unit() + unit() + unit() - 2.0) * 1.7320508075688772
    }

    /// Exponential with the given mean.
    @inline(__always)
    mutating func exponential(mean: Double) -> Double {
        -mean * (1.0 - unit()).naturalLog
    }

    /// Picks an index by cumulative integer weights (the last element is the total).
    @inline(__always)
    mutating func pick(cumulative: [Int]) -> Int {
        let r = below(cumulative[cumulative.count - 1])
        var i = 0
        while cumulative[i] <= r { i += 1 }
        return i
    }
}

// Own ln/exp/pow (plain IEEE arithmetic only), so that the same seed gives the same bytes on every platform,
// whatever its libm.
extension Double {
    /// Natural logarithm for positive finite values (a small, dependency-free implementation).
    var naturalLog: Double {
        // Split into mantissa m in [1, 2) and exponent e, then ln(m) by the atanh series.
        guard self > 0, isFinite else { return self == 0 ? -.infinity : .nan }
        var e = Double(exponent)
        var m = significand
        if m > 1.4142135623730951 { m *= 0.5; e += 1 }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var k = 1.0
        // m in [0.71, 1.42], so |s| < 0.172 and 12 terms are beyond double precision.
        for _ in 0..<12 {
            sum += term / k
            term *= s2
            k += 2
        }
        return 2 * sum + e * 0.6931471805599453
    }

    /// e^self (a small, dependency-free implementation; accurate to a few ulps for |self| < 700).
    var naturalExp: Double {
        if self > 709 { return .infinity }
        if self < -745 { return 0 }
        let k = (self * 1.4426950408889634).rounded()
        let r = self - k * 0.6931471805599453
        var term = 1.0
        var sum = 1.0
        for i in 1...16 {
            term *= r / Double(i)
            sum += term
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// self^p for self > 0.
    func power(_ p: Double) -> Double { self <= 0 ? 0 : (p * naturalLog).naturalExp }
}
