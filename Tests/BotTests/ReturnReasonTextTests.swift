import Domain
import Storage
import Testing

@testable import Bot

/// A payment that cannot be kept is explained with its true reason, in both languages, and says how the money
/// comes back (by the provider's refund, or by hand).
@Suite("Texts: why a payment is returned")
struct ReturnReasonTextTests {
    static let expected: [ReturnReason: (en: String, es: String)] = [
        .slotTaken: ("someone else booked that time", "otra persona reservó esa hora"),
        .alreadyPaid: ("a booking that was already paid", "una reserva que ya estaba pagada"),
        .cancelled: ("a booking that had been cancelled", "una reserva que había sido cancelada"),
        .wrongAmount: ("does not match the price of the booking", "no coincide con el precio de la reserva"),
        .unknownBooking: ("does not belong to this booking", "no corresponde a esta reserva"),
    ]

    @Test(arguments: ReturnReason.allCases, [true, false])
    func eachReasonIsSaidInBothLanguages(reason: ReturnReason, automaticRefund: Bool) throws {
        let phrases = try #require(Self.expected[reason])
        for (language, phrase) in [(Language.en, phrases.en), (.es, phrases.es)] {
            let text = Texts(language).paymentNotKept(reason, total: "$300.00", automaticRefund: automaticRefund)
            #expect(text.contains(phrase), "\(language) \(reason): \(text)")
            #expect(text.contains("$300.00"))
            let how = language == .en
                ? (automaticRefund ? "It is being refunded to you in full" : "It will be returned to you in full")
                : (automaticRefund ? "Te lo estamos devolviendo completo" : "Te lo devolveremos completo")
            #expect(text.contains(how), "\(language) \(reason): \(text)")
            // No other reason's words: the text says one reason, not a list of possible ones.
            for (other, otherPhrases) in Self.expected where other != reason {
                #expect(!text.contains(language == .en ? otherPhrases.en : otherPhrases.es), "\(reason) text mentions \(other)")
            }
        }
    }
}
