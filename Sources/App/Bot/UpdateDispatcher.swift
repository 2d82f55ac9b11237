import Bot
import Domain
import Logging
import Storage
import Telegram

/// Hands updates to the bot: each update id once (recorded in the store, so a webhook retry or a restart
/// does not handle it again), one chat's updates one at a time in arrival order, different chats in parallel.
actor UpdateDispatcher {
    private let engine: BotEngine
    private let store: any Store
    private let now: @Sendable () -> Instant
    private let logger: Logger
    private var tails: [Int64: (id: Int, task: Task<Void, Never>)] = [:]
    private var nextTaskID = 0

    init(engine: BotEngine, store: any Store, now: @escaping @Sendable () -> Instant, logger: Logger) {
        self.engine = engine
        self.store = store
        self.now = now
        self.logger = logger
    }

    /// Queues the update behind earlier updates of its chat. Returns false for a duplicate update id.
    @discardableResult
    func dispatch(_ update: Update) async throws -> Bool {
        // Money first: a Stars payment is kept before its update counts as received (and so before the
        // polling offset moves past it or the webhook answers 200); a crash after this loses nothing — the
        // scheduler's sweep processes what was kept and not processed.
        if let message = update.message, let payment = BotEngine.incomingStarsPayment(message, at: now()) {
            _ = try await store.recordStarsPayment(payment)
        }
        guard try await store.markUpdateHandled(update.updateId, at: now()) else {
            logger.debug("duplicate update ignored", metadata: ["update": "\(update.updateId)"])
            return false
        }
        let chat = update.chatId ?? 0
        let previous = tails[chat]?.task
        let engine = self.engine
        let task = Task {
            await previous?.value
            await engine.handle(update)
        }
        nextTaskID += 1
        let id = nextTaskID
        tails[chat] = (id, task)
        Task { [weak self] in
            await task.value
            await self?.finished(chat: chat, id: id)
        }
        return true
    }

    private func finished(chat: Int64, id: Int) {
        if tails[chat]?.id == id { tails[chat] = nil }
    }

    /// Waits until every queued update has been handled (graceful shutdown, tests).
    func drain() async {
        while let (_, tail) = tails.first {
            await tail.task.value
            if let current = tails.first, current.value.id == tail.id { tails.removeValue(forKey: current.key) }
        }
    }
}
