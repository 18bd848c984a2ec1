import Foundation
import KindredLinearAlgebra

/// The approximate index's partition: the articles in lists of about `listSize` by a two-level
/// spherical k-means, so that a query scores only the articles of the lists whose centroids are
/// nearest to it.
///
/// An inverted file over cluster centroids (Sivic & Zisserman 2003, "Video Google"; with the
/// vectors' codes inside the lists, Jégou, Douze & Schmid 2011, "Product quantization for nearest
/// neighbor search", IVFADC). The centroids form a two-level tree (Nistér & Stewénius 2006,
/// "Scalable recognition with a vocabulary tree"): `groups` coarse centroids, each with its own
/// list centroids, so that training compares each sample row with a few hundred centroids rather
/// than every list's. A query still ranks every list centroid (`ListScan.probeOrder`: the
/// tree's descent missed too many near lists). Centroids are unit-length means of their members
/// (spherical k-means, Dhillon & Modha 2001, "Concept decompositions for large sparse text data
/// using clustering": cosine is the similarity the lists are searched by).
///
/// What is stored (in the model file's approximate-index section, with the rest of
/// `ApproximateIndex`) is the partition alone: centroids and which rows each list holds. The
/// 4-bit codes a list scan reads are made from the article vectors when a model is loaded to
/// search approximately (`ListScan`).
public struct InvertedFileIndex: Sendable, Equatable {
    /// Coarse centroids, `(groups × dimensions)`.
    public let groupCentroids: DenseMatrix
    /// The lists of group `g` are `groupOffsets[g]..<groupOffsets[g + 1]`.
    public let groupOffsets: [Int32]
    /// List centroids, `(lists × dimensions)`, ordered by group.
    public let listCentroids: DenseMatrix
    /// The rows of list `l` are `rows[listOffsets[l]..<listOffsets[l + 1]]`.
    public let listOffsets: [Int32]
    /// Every article row once, list by list.
    public let rows: [Int32]

    public init(
        groupCentroids: DenseMatrix, groupOffsets: [Int32], listCentroids: DenseMatrix, listOffsets: [Int32],
        rows: [Int32]
    ) {
        self.groupCentroids = groupCentroids
        self.groupOffsets = groupOffsets
        self.listCentroids = listCentroids
        self.listOffsets = listOffsets
        self.rows = rows
    }

    public var groups: Int { groupCentroids.rows }
    public var lists: Int { listCentroids.rows }
    public var dimensions: Int { listCentroids.columns }

    /// The average list length the training aims for. On Debian's generated million articles 64
    /// gave the best recall for the rows scanned of 64, 244 and 1,000 (docs/performance.md, *The
    /// approximate index*); ranking the lists then reads one centroid per 64 rows, a sixty-fourth
    /// of the codes.
    public static let listSize = 64

    /// What is wrong with this index for a model of `articles` rows of `dimensions`, or nil: the
    /// shapes, that offsets rise from 0 to their end, that the rows are each article exactly once.
    public func problem(articles: Int, dimensions: Int) -> String? {
        guard groupCentroids.columns == dimensions, listCentroids.columns == dimensions else {
            return "centroids of \(listCentroids.columns) dimensions for a model of \(dimensions)"
        }
        guard groups >= 1, lists >= groups, groupOffsets.count == groups + 1, listOffsets.count == lists + 1 else {
            return "\(groups) groups and \(lists) lists with \(groupOffsets.count) and \(listOffsets.count) offsets"
        }
        func rises(_ offsets: [Int32], to end: Int) -> Bool {
            offsets.first == 0 && offsets.last == Int32(end)
                && zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }
        }
        guard rises(groupOffsets, to: lists) else { return "group offsets do not rise from 0 to \(lists)" }
        guard rises(listOffsets, to: articles), rows.count == articles else {
            return "list offsets do not rise from 0 to \(articles) articles"
        }
        var seen = [Bool](repeating: false, count: articles)
        for row in rows {
            guard row >= 0, Int(row) < articles, !seen[Int(row)] else {
                return "row \(row) is out of range or listed twice"
            }
            seen[Int(row)] = true
        }
        let finite = groupCentroids.storage.allSatisfy(\.isFinite) && listCentroids.storage.allSatisfy(\.isFinite)
        return finite ? nil : "a centroid holds a value that is not finite"
    }
}
