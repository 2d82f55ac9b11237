import SQLKit

// Migrations 8–10: what makes money and several instances safe — payment bindings and money to return, the
// durable update inbox, and leases (the poller's leader, instance heartbeats).
extension Schema {
    /// Payments tied to exactly one booking, and money we must give back:
    /// - `payment_checkouts`: each provider reference (a checkout we created, or a reference first seen in a
    ///   provider's notification) belongs to one booking forever, with the provider's last state for it (a
    ///   state never moves back, except paid → reversed);
    /// - `money_to_return`: the "money to return" list (owed → requested → settled), one row per provider
    ///   reference and kind;
    /// - `stars_inbox`: Telegram Stars payments kept before their update is acknowledged, until processed.
    static let paymentBindings = Migration(version: 8, name: "payment bindings and money to return") { flavor in
        let t = DDL(flavor: flavor)
        return [
            """
            CREATE TABLE payment_checkouts (
                provider TEXT NOT NULL,
                reference TEXT NOT NULL,
                booking_id \(t.int) NOT NULL REFERENCES bookings(id),
                state TEXT NOT NULL CHECK (state IN ('open', 'pending', 'paid', 'failed', 'reversed')),
                created_at \(t.int) NOT NULL,
                updated_at \(t.int) NOT NULL,
                PRIMARY KEY (provider, reference)
            )
            """,
            "CREATE INDEX payment_checkouts_booking ON payment_checkouts (booking_id)",
            """
            CREATE TABLE money_to_return (
                id \(t.id),
                kind TEXT NOT NULL CHECK (kind IN ('payment', 'reversal')),
                provider TEXT NOT NULL,
                reference TEXT NOT NULL,
                refund_handle TEXT,
                booking_id \(t.int),
                user_id \(t.int),
                amount \(t.int),
                currency TEXT,
                reason TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('owed', 'requested', 'settled')),
                attempts \(t.int) NOT NULL DEFAULT 0,
                last_error TEXT,
                created_at \(t.int) NOT NULL,
                updated_at \(t.int) NOT NULL,
                settled_by \(t.int),
                note TEXT,
                UNIQUE (provider, reference, kind)
            )
            """,
            "CREATE INDEX money_to_return_open ON money_to_return (state, updated_at)",
            """
            CREATE TABLE stars_inbox (
                charge_id TEXT PRIMARY KEY,
                user_id \(t.int) NOT NULL,
                chat_id \(t.int) NOT NULL,
                invoice_payload TEXT NOT NULL,
                total_amount \(t.int) NOT NULL,
                currency TEXT NOT NULL,
                received_at \(t.int) NOT NULL,
                processed_at \(t.int)
            )
            """,
            "CREATE INDEX stars_inbox_open ON stars_inbox (processed_at, received_at)",
        ]
    }

    /// The durable update inbox: every Telegram update is kept before it is acknowledged, then claimed like
    /// the outbox (one chat at a time, in update_id order, under a lease), and marked done, retried or given
    /// up. Partial indexes over the open rows keep a claim independent of the history.
    static let updateInbox = Migration(version: 9, name: "telegram update inbox") { flavor in
        let t = DDL(flavor: flavor)
        return [
            """
            CREATE TABLE telegram_inbox (
                update_id \(t.int) PRIMARY KEY,
                chat_id \(t.int) NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'handling', 'done', 'failed')),
                attempts \(t.int) NOT NULL DEFAULT 0,
                not_before \(t.int) NOT NULL,
                claimed_by TEXT,
                claimed_until \(t.int),
                last_error TEXT,
                received_at \(t.int) NOT NULL,
                handled_at \(t.int)
            )
            """,
            "CREATE INDEX telegram_inbox_open_by_chat ON telegram_inbox (chat_id, update_id) WHERE status IN ('pending', 'handling')",
            "CREATE INDEX telegram_inbox_open ON telegram_inbox (update_id) WHERE status IN ('pending', 'handling')",
        ]
    }

    /// Named leases: one holder at a time, until a moment (the Telegram poller's leader among instances).
    static let leases = Migration(version: 10, name: "leases") { flavor in
        let t = DDL(flavor: flavor)
        return [
            """
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                held_until \(t.int) NOT NULL
            )
            """,
        ]
    }
}
