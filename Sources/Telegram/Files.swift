import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A file Telegram keeps for the bot (core.telegram.org/bots/api#file): `filePath` is valid for at least an hour.
public struct TelegramFile: Codable, Sendable, Equatable {
    public var fileId: String
    public var fileUniqueId: String
    public var fileSize: Int?
    public var filePath: String?

    public init(fileId: String, fileUniqueId: String, fileSize: Int? = nil, filePath: String? = nil) {
        self.fileId = fileId
        self.fileUniqueId = fileUniqueId
        self.fileSize = fileSize
        self.filePath = filePath
    }
}

struct GetFile: Encodable, Sendable {
    var fileId: String
}

extension TelegramClient {
    /// The bot may download files of up to 20 MB.
    public static let maxDownload = 20 * 1024 * 1024

    public func getFile(_ fileId: String) async throws(TelegramError) -> TelegramFile { try await call("getFile", GetFile(fileId: fileId)) }

    /// A file's bytes by its id: `getFile`, then `GET <base>/file/bot<token>/<file_path>`. The URL carries the token:
    /// it is never logged, returned or put in an error.
    public func download(fileId: String) async throws(TelegramError) -> (bytes: [UInt8], filePath: String) {
        let file = try await getFile(fileId)
        guard let path = file.filePath, !path.contains(".."), !path.hasPrefix("/") else { throw .decoding("getFile gave no usable file_path") }
        let bytes: [UInt8]
        let status: UInt
        do {
            let response = try await httpClient.execute(HTTPClientRequest(url: fileURL(path)), timeout: .seconds(30))
            status = response.status.code
            bytes = Array(buffer: try await response.body.collect(upTo: Self.maxDownload))
        } catch {
            throw .network(Self.describe(error))
        }
        guard status == 200 else { throw .api(code: Int(status), description: "file download failed") }
        return (bytes, path)
    }
}
