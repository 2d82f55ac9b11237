import Bot
import Core
import Domain
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import Storage
import Telegram
import VideoRooms

/// Builds the server the same way for `privatecalls serve` and for tests: routes, middleware and the
/// long-running services, over a store that is already open and migrated.
public func buildApplication(
    configuration: AppConfiguration, store: any Store, clock: WallClock = .system, random: RandomSource = .system, logger: Logger,
    extraRoutes: (Router<BasicRequestContext>) -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    extraRoutes(router)
    // Paths only, never query strings: a call link's query carries its token.
    router.add(middleware: LogRequestPathsMiddleware(level: .debug))
    // The bot's start-up calls to Telegram (retried until it answers) gate /readyz, not the HTTP server.
    let telegramReadiness = configuration.telegram.map { telegram in
        TelegramReadiness(expecting: telegram.webhookURL == nil ? [.getMe, .setMyCommands] : [.getMe, .setMyCommands, .setWebhook])
    }
    HealthRoutes(store: store, telegram: telegramReadiness).register(on: router)
    let now: @Sendable () -> Instant = { clock.now() }
    // Hosts' calendar feeds need only the store; the entries' join links use the bot's username once getMe told it.
    let identity = BotIdentity()
    CalendarFeedRoutes(store: store, entries: CalendarEntries(identity: identity), now: now).register(on: router)

    // Video rooms for the calls (VIDEO_PROVIDER); Agora's links open our join page.
    var rooms: AppCallRooms?
    do {
        let provider = try configuration.video.makeProvider()
        rooms = AppCallRooms(provider: provider, store: store, now: now, random: random, graceMinutes: configuration.video.graceMinutes)
        if let agora = provider as? AgoraRooms { AgoraJoinRoutes(agora: agora, store: store, now: now, logger: logger).register(on: router) }
    } catch {
        logger.error("video rooms unavailable: \(error)")
    }

    var services: [any Service] = []
    var payments: PaymentsRuntime?
    var refundClient: TelegramClient?
    var callNotices: Notices?
    if let telegram = configuration.telegram, let telegramReadiness {
        var botLogger = logger
        botLogger[metadataKey: "component"] = "bot"
        let client = TelegramClient(token: telegram.token, baseURL: telegram.apiURL, logger: botLogger)
        let notices = Notices(store: store, defaultZone: configuration.defaultZone)
        callNotices = notices
        let runtime = PaymentsRuntime(configuration: configuration, store: store, now: now, notices: notices, api: client, logger: logger)
        logger.notice("payment methods enabled: \(PaymentsRuntime.enabledSummary(configuration))")
        payments = runtime
        refundClient = client
        var settings = BotSettings(
            commission: configuration.commission, holdMinutes: configuration.holdMinutes, slotRules: configuration.slotRules,
            defaultZone: configuration.defaultZone, adminIDs: configuration.adminIDs, starsPerUSD: configuration.starsPerUSD)
        settings.cancellation = configuration.cancellation
        settings.maxLiveHoldsPerUser = configuration.maxLiveHoldsPerUser
        settings.publicURL = configuration.publicURL
        let shownHost = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        settings.webURL = configuration.publicURL ?? "http://\(shownHost):\(configuration.port)"
        settings.identity = identity
        let engine = BotEngine(store: store, api: client, now: now, settings: settings, checkout: runtime, logger: botLogger, rooms: rooms)
        let dispatcher = UpdateDispatcher(engine: engine, store: store, now: now, logger: botLogger, instance: configuration.instanceName)
        // First: a graceful shutdown stops services in reverse order, so the heartbeat ends last, after the
        // worker and the sender have finished or handed back what they held.
        services.append(InstanceHeartbeat(store: store, instance: configuration.instanceName, now: now, logger: botLogger))
        // Listed before the receivers: a graceful shutdown stops receiving first, then lets the worker finish.
        services.append(InboxWorker(dispatcher: dispatcher))
        runtime.registerRoutes(on: router)
        let startup = StartupCall(readiness: telegramReadiness, backoff: telegram.startupBackoff, logger: botLogger)
        services.append(BotCommandsService(client: client, startup: startup, logger: botLogger, identity: settings.identity))
        services.append(OutboxSender(
            store: store, api: client, now: now, instance: configuration.instanceName, logger: botLogger,
            lease: Int64(configuration.outboxLeaseSeconds)))
        if let url = telegram.webhookURL {
            TelegramWebhookRoutes(secret: telegram.webhookSecret, dispatcher: dispatcher).register(on: router)
            services.append(WebhookRegistration(client: client, url: url, secret: telegram.webhookSecret, startup: startup, logger: botLogger))
        } else {
            let leadership = Leadership(name: "telegram-poller", holder: configuration.instanceName, store: store, now: now, logger: botLogger)
            services.append(LeadershipService(leadership: leadership))
            var polling = PollingService(client: client, dispatcher: dispatcher, store: store, timeout: telegram.pollTimeout, logger: botLogger)
            polling.leadership = leadership
            services.append(AfterTokenCheck(inner: polling, readiness: telegramReadiness))
        }
    } else {
        logger.notice("bot disabled: TELEGRAM_BOT_TOKEN is not set")
    }
    // The operator's web dashboard (sign-in by a one-time link from the bot's /dashboard): the same use cases
    // as the bot, with the bot's notices and the providers' refunds.
    let admins = configuration.adminIDs
    var dashboard = DashboardRoutes(
        access: AdminAccess(store: store, now: now, admins: { admins }), store: store, now: now, defaultZone: configuration.defaultZone,
        secureCookie: configuration.publicURL?.hasPrefix("https://") == true, logger: logger)
    dashboard.policy = configuration.cancellation
    if let payments, let client = refundClient, let callNotices {
        dashboard.notices = callNotices
        dashboard.money = CheckoutMoneyReturns(checkout: payments, api: client)
        dashboard.files = { try await client.download(fileId: $0) }
    }
    dashboard.register(on: router)

    let expiryHandler = payments
    var scheduler = CallScheduler(
        store: store, now: now, interval: .seconds(configuration.schedulerIntervalSeconds),
        onExpired: { bookings in await expiryHandler?.holdsExpired(bookings) }, notices: callNotices, rooms: rooms, logger: logger)
    if let payments, let client = refundClient {
        scheduler.retryRefund = { booking in
            guard booking.paymentMethod.flatMap(payments.providers.provider(named:))?.refundMode == .automatic else { return }
            _ = await payments.refund(booking, api: client, actor: nil)
        }
        scheduler.sweepPayments = { _ in
            // Everything kept and not processed: at start-up that is what a crash left behind; later a row
            // in flight may be picked twice, which fulfilment makes harmless (once per charge id).
            await payments.processStarsInbox(receivedAtOrBefore: payments.now())
            await payments.retryMoneyToReturn()
        }
    }
    services.append(scheduler)

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "privatecalls"),
        services: services,
        logger: logger)
}

/// Runs the server until SIGTERM or SIGINT, then shuts down gracefully.
public func runServer(
    configuration: AppConfiguration, store: any Store, clock: WallClock = .system, logger: Logger,
    extraRoutes: (Router<BasicRequestContext>) -> Void = { _ in }
) async throws {
    let app = buildApplication(configuration: configuration, store: store, clock: clock, logger: logger, extraRoutes: extraRoutes)
    // SIGTERM/SIGINT: graceful shutdown (receiving stops first, then the inbox worker and the outbox sender
    // finish what they hold, then the heartbeat is removed), cut short after SHUTDOWN_GRACE_SECONDS. Whatever
    // is cancelled then is taken over by another instance when this one's heartbeat lapses, or by this one at
    // its next start.
    var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGraceSeconds)
    group.maximumCancellationDuration = .seconds(5)
    try await ServiceGroup(configuration: group).run()
}
