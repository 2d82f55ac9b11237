import Logging

/// A logger for clients under test: errors only (retries log warnings, expected here).
let testLogger: Logger = {
    var logger = Logger(label: "PaymentsTests")
    logger.logLevel = .error
    return logger
}()
