import Domain
import Storage

/// Money paid out to hosts: an admin records a payout within the host's unpaid balance (checked by the store in
/// the same transaction that writes it, with its ledger row and audit entry).
public struct Payouts: Sendable {
    let catalogue: HostCatalogue

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
    }

    /// `amount` as the admin typed it ("50", "49.99", "1.234,56"), in the host's currency; `reference` is free text
    /// (a transfer id), kept with the payout.
    public func record(_ actor: Actor, host id: HostID, amount text: String, reference: String?) async throws -> Payout {
        guard case .admin = actor else { throw Refusal.notAllowed }
        let host = try await catalogue.allowedHost(actor, id)
        let amount: Money
        do { amount = try Money.parse(text, currency: host.currency) } catch let error as MoneyParseError { throw Refusal.invalidAmount(error) }
        guard amount.isPositive else { throw Refusal.notPositive }
        do {
            return try await catalogue.store.recordPayout(hostID: id, amount: amount, reference: reference, recordedBy: actor.account,
                                                          at: catalogue.now())
        } catch StoreError.payoutExceedsBalance(let balance) {
            throw Refusal.exceedsBalance(balance: balance)
        }
    }
}

/// Reviews an admin hides from (or shows again to) users; the store writes the audit row with the change.
public struct ReviewModeration: Sendable {
    let catalogue: HostCatalogue

    public init(store: any Store, now: @escaping @Sendable () -> Instant, admins: @escaping @Sendable () -> Set<TelegramUserID>) {
        catalogue = HostCatalogue(store: store, now: now, admins: admins)
    }

    public func setHidden(_ actor: Actor, review id: Int64, hidden: Bool) async throws -> Review {
        guard case .admin(let account) = actor, catalogue.admins().contains(account) else { throw Refusal.notAllowed }
        do {
            return try await catalogue.store.setReviewHidden(id, hidden: hidden, by: account, at: catalogue.now())
        } catch StoreError.notFound {
            throw Refusal.noSuchReview
        }
    }
}
