/// One day of one player: whether they come back, their sessions, and the attempts at their level in each.
extension World {
    func simulate(_ p: inout PlayerState, index: Int, day: Int, into out: inout [GeneratedEvent], seq: inout UInt32) {
        guard p.alive, day >= p.installDay else { return }
        let age = day - p.installDay
        if age > 0 {
            // Retention decays with age (≈ 45% D1, 20% D7, 10% D30 for a median player) and with idleness.
            let stuck = p.fails >= 6 ? 0.75 : 1.0
            let decay = p.loyal ? 0.7 * Double(age).power(-0.15) : 0.5 * Double(age).power(-0.55)
            let probability = min(0.95, p.engagement * decay * stuck)
            if !p.rng.chance(probability) { return }
        }
        var sessionCount = 1
        let more = min(0.6, 0.3 * p.engagement)
        while sessionCount < 6 && p.rng.chance(more) { sessionCount += 1 }

        // Session start times around the player's preferred hour, in order.
        var offsets: [Int64] = []
        offsets.reserveCapacity(sessionCount)
        for _ in 0..<sessionCount {
            var hour = (p.preferredHour + p.rng.gaussian() * 3.5).truncatingRemainder(dividingBy: 24)
            if hour < 0 { hour += 24 }
            // On the history's last day, sessions start early enough to be played before it ends.
            if day == days - 1 { hour *= 0.9 }
            offsets.append(Int64(hour * 3_600_000))
        }
        offsets.sort()
        let dayStart = startMs + Int64(day) * World.msPerDay
        for offset in offsets {
            guard p.alive, p.level <= levels else { break }
            simulateSession(&p, index: index, at: dayStart + offset, into: &out, seq: &seq)
        }
    }

    /// What every event of a session carries, and how late the session is uploaded.
    private struct SessionStamp {
        var player: Int32
        var session: Int32
        var appVersion: UInt8
        var funnelVersion: UInt8
        /// About 1% of sessions are played offline and uploaded 1–5 days later.
        var lateBy: Int64
    }

    /// An attempt's dice: the booster used, whether it is won, and how long it takes.
    private struct AttemptRoll {
        var booster: UInt8
        var won: Bool
        var seconds: Double
        var durationMs: Int64
    }

    /// A session from `wanted` (after the player's last one): its start, then attempts at the player's level until
    /// the session ends (time, an orphan start, frustration) or the history does.
    private func simulateSession(_ p: inout PlayerState, index: Int, at wanted: Int64,
                                 into out: inout [GeneratedEvent], seq: inout UInt32) {
        var t = max(wanted, p.clockMs &+ 120_000 &+ Int64(p.rng.below(600_000)))
        guard t < horizonMs - 300_000 else { return }
        let stamp = sessionStamp(&p, index: index, at: t)
        var opening = GeneratedEvent(occurredMs: t, receivedMs: 0, seq: 0, player: stamp.player, session: stamp.session,
                                     level: 0, durationMs: 0, attempt: 0, kind: .sessionStart)
        opening.extra = UInt8(p.device)
        emit(&opening, stamp, rng: &p.rng, into: &out, seq: &seq)
        t += 1_500 + Int64(p.rng.below(6_000))
        let sessionEnd = t + 60_000 + Int64(min(3_600_000, p.rng.exponential(mean: 120_000 * p.engagement)))
        while p.level <= levels {
            guard playAttempt(&p, stamp, at: &t, into: &out, seq: &seq), t <= sessionEnd else { break }
        }
        if p.level > levels { p.alive = false }  // finished the game
        p.clockMs = t
    }

    /// Numbers the session and reads the versions the player has on its day.
    private func sessionStamp(_ p: inout PlayerState, index: Int, at t: Int64) -> SessionStamp {
        let session = Int32(truncatingIfNeeded: p.sessions)
        p.sessions += 1
        let day = Int((t - startMs) / World.msPerDay)
        let appVersion = UInt8(appVersion(p, day: day))
        let funnelVersion = UInt8(day >= p.funnelVersionChangeDay ? p.funnelVersionNext : p.funnelVersion)
        let lateBy: Int64 = p.rng.chance(0.01) ? World.msPerDay + Int64(p.rng.below(4 * 86_400_000)) : 0
        return SessionStamp(player: Int32(truncatingIfNeeded: index), session: session, appVersion: appVersion,
                            funnelVersion: funnelVersion, lateBy: lateBy)
    }

    /// Stamps the event with its session's versions, its number and its arrival, and writes it out.
    private func emit(_ e: inout GeneratedEvent, _ stamp: SessionStamp, rng: inout SplitMix64,
                      into out: inout [GeneratedEvent], seq: inout UInt32) {
        e.seq = seq
        seq &+= 1
        e.appVersion = stamp.appVersion
        e.funnelVersion = stamp.funnelVersion
        var delay = stamp.lateBy + 40 + Int64(rng.exponential(mean: 900))
        if delay > stamp.lateBy + 60_000 { delay = stamp.lateBy + 60_000 }
        e.receivedMs = min(e.occurredMs + delay, receivedByMs)
        out.append(e)
    }

    /// One attempt at the player's level from `t`: its start and, unless the app is killed, its end, then the
    /// player's progress or fails. False when the session ends with it; `t` moves past it.
    private func playAttempt(_ p: inout PlayerState, _ stamp: SessionStamp, at t: inout Int64,
                             into out: inout [GeneratedEvent], seq: inout UInt32) -> Bool {
        let level = p.level
        let roll = rollAttempt(&p, funnelVersion: stamp.funnelVersion)
        let end = t + roll.durationMs
        guard end < horizonMs else { return false }

        p.attempts += 1
        p.egpBoost = false
        let attempt = UInt16(min(p.attempts, Int(UInt16.max)))
        var start = GeneratedEvent(occurredMs: t, receivedMs: 0, seq: 0, player: stamp.player, session: stamp.session,
                                   level: Int32(level), durationMs: 0, attempt: attempt, kind: .levelStart)
        start.malform = malform(&p.rng)
        emit(&start, stamp, rng: &p.rng, into: &out, seq: &seq)

        // Orphan start: the app was killed (or the end event lost); the session is over.
        if p.rng.chance(0.025) {
            t += roll.durationMs / 2
            return false
        }

        var finish = GeneratedEvent(occurredMs: end, receivedMs: 0, seq: 0, player: stamp.player, session: stamp.session,
                                    level: Int32(level), durationMs: Int32(clamping: roll.durationMs), attempt: attempt,
                                    kind: roll.won ? .levelComplete : .levelFailed)
        finish.malform = malform(&p.rng)
        finish.booster = roll.booster
        if p.rng.chance(0.004) { finish.durationFlaw = UInt8(1 + p.rng.below(4)) }
        t = end + 2_000 + Int64(p.rng.below(20_000))

        if roll.won {
            finish.extra = roll.seconds < levelSeconds[level] * 0.8 ? 3 : roll.seconds < levelSeconds[level] * 1.2 ? 2 : 1
            emit(&finish, stamp, rng: &p.rng, into: &out, seq: &seq)
            p.level += 1
            p.attempts = 0
            p.fails = 0
            return true
        }
        p.fails += 1
        let egpChance = (p.payer ? 0.18 : 0.012) * (level % 10 == 0 ? 2 : 1) * (p.fails >= 3 ? 1.5 : 1)
        if p.rng.chance(egpChance) {
            finish.egp = p.rng.chance(0.05) ? 1 : UInt8(2 + p.rng.pick(cumulative: World.egpWeights))
            p.egpBoost = finish.egp > 1
        }
        emit(&finish, stamp, rng: &p.rng, into: &out, seq: &seq)
        // Frustration: some players quit the game for good on a hard level, many stop the session.
        if p.rng.chance(min(0.1, 0.004 * Double(p.fails))) {
            p.alive = false
            return false
        }
        return !p.rng.chance(min(0.5, 0.1 + 0.03 * Double(p.fails)))
    }

    /// Boosters (more on hard levels and after fails; a few clients send an empty object or null), the chance to
    /// win (the level's, the player's skill, fails, funnel and version, boosters, an extra-go purchase) and the time.
    private func rollAttempt(_ p: inout PlayerState, funnelVersion: UInt8) -> AttemptRoll {
        let level = p.level
        let boss = level % 10 == 0
        var booster: UInt8 = 0
        let boosterChance = 0.03 + 0.12 * p.boosterAffinity + (boss ? 0.06 : 0) + min(0.1, 0.015 * Double(p.fails))
        if p.rng.chance(boosterChance) {
            booster = p.rng.chance(0.12) ? (p.rng.chance(0.85) ? 1 : 2) : UInt8(3 + p.rng.below(5))
        }
        var win = levelWin[level] + p.skill + min(0.3, 0.05 * Double(p.fails))
        if p.funnel == 1 { win -= 0.1 }
        if funnelVersion == 2 && boss { win += 0.05 }
        if funnelVersion == 3 { win += 0.03 }
        if booster >= 3 { win += 0.12 }
        if p.egpBoost { win += 0.3 }
        let won = p.rng.chance(min(0.98, max(0.05, win)))
        let full = levelSeconds[level] * (0.35 * p.rng.gaussian()).naturalExp
        let seconds = won ? full : full * (0.25 + 0.75 * p.rng.unit())
        return AttemptRoll(booster: booster, won: won, seconds: seconds, durationMs: Int64(max(2.0, seconds) * 1000))
    }

    /// About 0.7% of level events carry a broken payload; a few in ten thousand use `12.0`, which counts.
    @inline(__always)
    private func malform(_ rng: inout SplitMix64) -> Malform {
        let r = rng.below(100_000)
        if r >= 750 { return .none }
        if r < 50 { return .integralFloatId }
        return Malform(rawValue: UInt8(1 + r % 7))!
    }
}
