import Foundation
import Telegram

/// A document the bot uploaded, kept with its bytes so tests can read what arrived.
struct UploadedDocument: Sendable {
    /// As sent in the part's Content-Disposition, unescaped.
    let fileName: String
    /// The part's Content-Type. (Telegram itself guesses the MIME type from the file name's extension.)
    let mimeType: String?
    let data: [UInt8]
    let fileUniqueId: String

    func document(_ fileId: String) -> Document {
        Document(fileId: fileId, fileUniqueId: fileUniqueId, fileName: fileName, mimeType: mimeType, fileSize: data.count)
    }
}

/// sendDocument's parameters apart from an uploaded file: `document` is a string only when it is a file_id, an
/// HTTP URL or "attach://<part name>".
private struct SendDocumentParameters: Decodable {
    var chatId: Int64
    var document: String?
    var caption: String?
    var parseMode: String?
    var replyMarkup: InlineKeyboardMarkup?
}

private enum DocumentSource {
    case upload(UploadedFile)
    case existing(fileId: String)
}

// sendDocument (core.telegram.org/bots/api#senddocument): a multipart upload, or a file_id / URL sent again.
extension FakeState {
    func sendDocument(_ body: Data, files: [UploadedFile]) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(SendDocumentParameters.self, body)
        let source = try documentSource(p.document, files: files)
        let caption = try self.caption(p.caption, parseMode: p.parseMode)
        let markup = try Validation.keyboard(p.replyMarkup)
        try requireWritableChat(p.chatId)
        let document: Document
        switch source {
        case .upload(let file):
            let fileId = "doc-\(uploadedDocuments.count + 1)"
            let upload = UploadedDocument(fileName: file.fileName, mimeType: file.contentType, data: file.data, fileUniqueId: Self.uniqueId(file.data))
            uploadedDocuments[fileId] = upload
            document = upload.document(fileId)
        case .existing(let fileId):
            document = uploadedDocuments[fileId]?.document(fileId) ?? Document(fileId: fileId, fileUniqueId: Self.uniqueId(Array(fileId.utf8)))
        }
        let message = appendMessage(to: p.chatId, from: bot, entities: caption?.entities ?? []) { m in
            m.document = document
            m.caption = caption?.text
            m.replyMarkup = markup
        }
        return WireJSON.encode(message)
    }

    /// Telegram's reading of `document`: a non-empty string is a file_id or URL, or "attach://<name>" naming a file
    /// part; without it, the file part called "document". A plain (filename-less) part is just a string.
    private func documentSource(_ value: String?, files: [UploadedFile]) throws(APIFailure) -> DocumentSource {
        let missing = APIFailure.badRequest("there is no document in the request")
        let file: UploadedFile
        if let value, !value.isEmpty {
            guard value.hasPrefix("attach://") else { return .existing(fileId: try documentReference(value)) }
            let partName = String(value.dropFirst("attach://".count))
            guard let attached = files.first(where: { $0.field == partName }) else { throw missing }
            file = attached
        } else {
            guard let uploaded = files.first(where: { $0.field == "document" }) else { throw missing }
            file = uploaded
        }
        guard !file.fileName.isEmpty else {
            throw .badRequest("the uploaded document has an empty file name (FakeBotAPI refuses it; Telegram would call it \"file\")")
        }
        guard !file.data.isEmpty else { throw .badRequest("file must be non-empty") }
        return .upload(file)
    }

    /// A document sent again: one the bot uploaded, a file_id the fake knows, or an HTTP URL of a GIF, PDF or ZIP
    /// ("In sendDocument, sending by URL will currently only work for GIF, PDF and ZIP files").
    private func documentReference(_ reference: String) throws(APIFailure) -> String {
        if uploadedDocuments[reference] != nil { return reference }
        if reference.isHTTPURL && !reference.contains("/bot") {
            let path = (URL(string: reference)?.path ?? reference).lowercased()
            guard [".gif", ".pdf", ".zip"].contains(where: { path.hasSuffix($0) }) else {
                throw .badRequest("wrong type of the web page content")
            }
        }
        return try checkFileReference(reference, kind: "document")
    }

    /// The same bytes get the same file_unique_id, as in Telegram (stable for the life of the process).
    static func uniqueId(_ data: [UInt8]) -> String {
        var hasher = Hasher()
        data.withUnsafeBytes { hasher.combine(bytes: $0) }
        return "AgAD" + String(UInt64(bitPattern: Int64(hasher.finalize())), radix: 36)
    }

    // MARK: Reading (for tests)

    func documents(chat: Int64) -> [(fileName: String, mimeType: String?, data: [UInt8], caption: String?)] {
        botMessages(chat: chat).compactMap { message in
            guard let document = message.document else { return nil }
            let upload = uploadedDocuments[document.fileId]
            return (upload?.fileName ?? document.fileName ?? "", upload?.mimeType ?? document.mimeType, upload?.data ?? [], message.caption)
        }
    }
}

private struct GetFileParameters: Decodable {
    var fileId: String
}

// getFile (core.telegram.org/bots/api#getfile) and the download at /file/bot<token>/<file_path>: a file the fake
// knows, with the bytes it was given (the playground's uploads, documents the bot sent) or, for a photo a
// scripted user sent without bytes, a small generated picture.
extension FakeState {
    func getFile(_ body: Data) throws(APIFailure) -> Data {
        let p = try WireJSON.decode(GetFileParameters.self, body)
        guard knownFiles.contains(p.fileId) || fileBytes[p.fileId] != nil || uploadedDocuments[p.fileId] != nil else {
            throw .badRequest("invalid file_id")
        }
        let stored = downloadable(p.fileId)
        let path = (filePaths.first { $0.value == p.fileId }?.key) ?? "photos/file_\(generatedNumber()).\(stored.contentType.contains("svg") ? "svg" : "jpg")"
        filePaths[path] = p.fileId
        return WireJSON.encode(TelegramFile(fileId: p.fileId, fileUniqueId: "u" + String(p.fileId.suffix(12)), fileSize: stored.data.count, filePath: path))
    }

    func downloadable(_ fileId: String) -> StoredFile {
        if let stored = file(fileId) { return stored }
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"240\"><rect width=\"320\" height=\"240\" fill=\"#8ab\"/></svg>"
        return StoredFile(data: Array(svg.utf8), contentType: "image/svg+xml")
    }

    /// The bytes behind a file_path getFile gave out; nil for an unknown path.
    func download(path: String) -> StoredFile? {
        filePaths[path].map(downloadable)
    }
}
