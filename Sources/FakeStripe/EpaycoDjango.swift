import Foundation

/// ePayco confirmation signatures computed by `epayco-django` (`epayco_django.utils.get_signature`), an
/// independent implementation our `EpaycoConfirmation.verify` is checked against.
public enum EpaycoDjango {
    static let script = """
    import json, sys
    try:
        import django  # the package imports django.conf settings at import time
        from django.conf import settings
        settings.configure(EPAYCO={"PUBLIC_KEY": "pub", "PRIVATE_KEY": "priv", "P_KEY": sys.argv[2], "TEST": True})
    except ImportError:
        sys.exit("epayco-django needs Django: pip install django into the peers venv")
    from epayco_django.utils import get_signature
    for row in json.loads(sys.argv[1]):
        print(get_signature(*row))
    """

    /// Whether the peer Python can import epayco-django and Django (the package does not declare Django).
    public static let importable: Bool = {
        guard let python = Peers.python else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import django, epayco_django"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Run when importable, or when the peers are required (then a missing peer fails the test).
    public static var shouldRun: Bool { Peers.required || (Peers.shouldRun && importable) }

    /// One signature per row: (cust id, p_key, x_ref_payco, x_transaction_id, x_amount, x_currency_code), in
    /// get_signature's order; `pKey` configures the package (as a deployment would).
    public static func signatures(_ rows: [[String]], pKey: String) async throws -> [String] {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self)
        let output = try await Peers.run(["-c", script, json, pKey])
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
