import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Telegram

// The update queue: getUpdates (with offsets and long polling), webhooks and their delivery.
extension FakeState {
    // MARK: Queue

    /// Queues an update (assigning its id if 0) and starts webhook delivery if a webhook is set.
    @discardableResult
    func queue(_ update: Update) -> Int64 {
        var update = update
        if update.updateId == 0 { update.updateId = nextUpdateId }
        nextUpdateId = max(nextUpdateId, update.updateId + 1)
        track(update)
        let position = pending.firstIndex { $0.update.updateId > update.updateId } ?? pending.endIndex
        pending.insert(PendingUpdate(update: update), at: position)
        startDelivery()
        noteChange()
        return update.updateId
    }

    /// Remembers the queries and payments an update hands to the bot, so its answers can be checked.
    private func track(_ update: Update) {
        if let query = update.callbackQuery, !callbackQueryIds.contains(query.id) { callbackQueryIds.append(query.id) }
        if let query = update.preCheckoutQuery, !preCheckoutQueryIds.contains(query.id) { preCheckoutQueryIds.append(query.id) }
        if let message = update.message, let payment = message.successfulPayment, let payer = message.from {
            charges[payment.telegramPaymentChargeId] = Charge(userId: payer.id)
        }
    }

    static func kind(of update: Update) -> String {
        if update.message != nil { return "message" }
        if update.editedMessage != nil { return "edited_message" }
        if update.callbackQuery != nil { return "callback_query" }
        if update.preCheckoutQuery != nil { return "pre_checkout_query" }
        return "unknown"
    }

    /// Whether the bot's last allowed_updates lets this update through (none or empty = every kind we model).
    func isAllowed(_ update: Update) -> Bool {
        guard let allowedUpdates, !allowedUpdates.isEmpty else { return true }
        return allowedUpdates.contains(Self.kind(of: update))
    }

    /// Drops updates the bot did not ask for, then returns up to `limit` pending ones in update_id order.
    private func deliverable(limit: Int) -> [Update] {
        pending.removeAll { !isAllowed($0.update) }
        return pending.prefix(limit).map(\.update)
    }

    // MARK: getUpdates

    func getUpdates(_ body: Data, callIndex: Int) throws(APIFailure) -> Step {
        guard webhookConfig == nil else { throw .webhookActive }
        let p = try WireJSON.decode(GetUpdates.self, body)
        if let allowed = p.allowedUpdates { allowedUpdates = allowed }
        if let offset = p.offset { confirm(below: offset) }
        let limit = min(max(p.limit ?? 100, 1), 100)
        let timeout = max(p.timeout ?? 0, 0)
        pollGeneration += 1
        let updates = deliverable(limit: limit)
        if !updates.isEmpty || timeout == 0 || stopping { return answer(callIndex, result: WireJSON.encode(updates)) }
        return .longPoll(LongPoll(callIndex: callIndex, limit: limit, deadline: .now + .seconds(timeout), generation: pollGeneration))
    }

    /// Updates below `offset` are confirmed and forgotten; a negative offset keeps only the last -offset updates.
    private func confirm(below offset: Int64) {
        if offset >= 0 {
            pending.removeAll { $0.update.updateId < offset }
        } else {
            let keep = Int(clamping: -offset)
            if pending.count > keep { pending.removeFirst(pending.count - keep) }
        }
    }

    /// One check of a waiting long poll: the answer when it is due, nil to keep waiting.
    func poll(_ poll: LongPoll) -> Step? {
        if poll.generation != pollGeneration { return fail(poll.callIndex, .otherPoller) }
        if webhookConfig != nil { return fail(poll.callIndex, .webhookActive) }
        let updates = deliverable(limit: poll.limit)
        guard !updates.isEmpty || ContinuousClock.now >= poll.deadline || stopping else { return nil }
        return answer(poll.callIndex, result: WireJSON.encode(updates))
    }

    // MARK: Webhook

    func setWebhook(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SetWebhook.self, body)
        if p.url.isEmpty { return try deleteWebhook(body) }
        guard p.url.isHTTPURL, URL(string: p.url)?.host != nil else { throw .badRequest("bad webhook: invalid webhook URL specified") }
        if let secret = p.secretToken { try Validation.secretToken(secret) }
        if p.dropPendingUpdates == true { pending.removeAll() }
        if let allowed = p.allowedUpdates { allowedUpdates = allowed }
        webhookConfig = WebhookConfig(url: p.url, secretToken: p.secretToken)
        for index in pending.indices { pending[index].webhookGaveUp = false }
        startDelivery()
        return WireJSON.trueResult
    }

    func deleteWebhook(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(DeleteWebhook.self, body)
        if p.dropPendingUpdates == true { pending.removeAll() }
        webhookConfig = nil
        return WireJSON.trueResult
    }

    func webhookInfo() -> Data {
        struct Info: Encodable {
            let url: String
            let hasCustomCertificate: Bool
            let pendingUpdateCount: Int
            let allowedUpdates: [String]?
        }
        return WireJSON.encode(Info(url: webhookConfig?.url ?? "", hasCustomCertificate: false, pendingUpdateCount: pending.count,
                                    allowedUpdates: allowedUpdates))
    }

    // MARK: Delivery

    /// Attempts per update before giving up, and the longest wait between two (Telegram itself keeps trying
    /// for much longer; tests that kill the bot's processes raise both with `retryWebhookDeliveries`).
    static let defaultDeliveryAttempts = 4

    /// Starts the single delivery loop if a webhook is set and it is not running.
    func startDelivery() {
        guard webhookConfig != nil, deliveryTask == nil, !stopping else { return }
        deliveryTask = Task { await self.deliverPending() }
    }

    /// POSTs pending updates one at a time, in order, retrying failures with a short backoff.
    private func deliverPending() async {
        while let (update, webhook) = nextDelivery() {
            var delivered = false
            for attempt in 0..<deliveryAttempts {
                let status = await Self.post(update, to: webhook)
                deliveryLog.append((update.updateId, status))
                if (200..<300).contains(status) {
                    delivered = true
                    break
                }
                if stopping || webhookConfig?.url != webhook.url { break }
                if attempt + 1 < deliveryAttempts { try? await Task.sleep(for: min(.milliseconds(50 << min(attempt, 10)), deliveryMaxBackoff)) }
            }
            if delivered {
                pending.removeAll { $0.update.updateId == update.updateId }
            } else if let index = pending.firstIndex(where: { $0.update.updateId == update.updateId }) {
                pending[index].webhookGaveUp = true
                logger.warning("FakeBotAPI: webhook delivery failed", metadata: ["update_id": "\(update.updateId)"])
            }
        }
        deliveryTask = nil
    }

    private func nextDelivery() -> (Update, WebhookConfig)? {
        guard let webhook = webhookConfig, !stopping, !Task.isCancelled else { return nil }
        pending.removeAll { !isAllowed($0.update) }
        guard let next = pending.first(where: { !$0.webhookGaveUp }) else { return nil }
        return (next.update, webhook)
    }

    /// One delivery attempt; the HTTP status, or 0 if the request failed.
    private static func post(_ update: Update, to webhook: WebhookConfig) async -> Int {
        var request = HTTPClientRequest(url: webhook.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let secret = webhook.secretToken { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
        request.body = .bytes(ByteBuffer(bytes: WireJSON.encode(update)))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(3))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }
}
