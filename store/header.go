package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
)

// bbolt's on-disk meta page, as written by go.etcd.io/bbolt v1 in the
// machine's byte order: a 16-byte page header, then the meta fields.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16
	metaSize        = 56 // magic … txid; the checksum follows
	metaChecksumOff = pageHeaderSize + metaSize
	minMetaBytes    = metaChecksumOff + 8
	pgidNoFreelist  = ^uint64(0)
)

// boltMeta is the part of a meta page checkFile needs.
type boltMeta struct {
	magic, version, pageSize uint32
	root, freelist, pgid     uint64
	txid                     uint64
	checksumOK               bool
}

func parseMeta(b []byte) (boltMeta, bool) {
	if len(b) < minMetaBytes {
		return boltMeta{}, false
	}
	e := binary.NativeEndian
	m := boltMeta{
		magic:    e.Uint32(b[16:]),
		version:  e.Uint32(b[20:]),
		pageSize: e.Uint32(b[24:]),
		root:     e.Uint64(b[32:]),
		freelist: e.Uint64(b[48:]),
		pgid:     e.Uint64(b[56:]),
		txid:     e.Uint64(b[64:]),
	}
	h := fnv.New64a()
	h.Write(b[pageHeaderSize:metaChecksumOff])
	m.checksumOK = h.Sum64() == e.Uint64(b[metaChecksumOff:])
	return m, true
}

func (m boltMeta) valid() bool {
	return m.magic == boltMagic && m.version == boltVersion && m.checksumOK
}

// checkFile refuses, before bbolt maps it, a file bbolt would choke on:
// not a bbolt file, another bbolt format version, or shorter than its own
// meta page says (a truncated copy, a full disk). A missing file is fine
// (Open creates the database); an empty one only with initEmpty.
func checkFile(path string, initEmpty bool) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	if info.IsDir() {
		return fmt.Errorf("open database %s: is a directory, want a file", path)
	}
	size := info.Size()
	if size == 0 {
		if initEmpty {
			return nil
		}
		return &openError{
			msg: fmt.Sprintf("database %s is an empty file (0 bytes), not a database (a failed copy or restore, or a full disk?): %s; or start `cadencebot run --init` to make a new, empty database in it",
				path, restoreAdvice(path)),
			kind: ErrEmpty,
		}
	}
	if size < 2*1024 {
		return corrupt(path, fmt.Sprintf("file is %d bytes, too short for a bbolt database", size), nil)
	}

	// Find the page size the way bbolt does: from meta 0, or from meta 1
	// at each possible page size if meta 0 is damaged.
	m0, err := readMeta(f, 0)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	pageSize := int64(0)
	if m0.valid() {
		pageSize = int64(m0.pageSize)
	} else {
		for i := 0; i <= 14 && pageSize == 0; i++ {
			off := int64(1024) << i
			if off >= size-1024 {
				break
			}
			if m1, err := readMeta(f, off); err == nil && m1.valid() {
				pageSize = int64(m1.pageSize)
			}
		}
	}
	if pageSize == 0 {
		if m0.magic == boltMagic && m0.version != boltVersion {
			return corrupt(path, fmt.Sprintf("bbolt file format version %d, this build reads version %d", m0.version, boltVersion), nil)
		}
		return corrupt(path, "no valid bbolt meta page (not a bbolt file, or both meta pages are damaged)", nil)
	}
	if pageSize < 1024 || pageSize&(pageSize-1) != 0 {
		return corrupt(path, fmt.Sprintf("implausible page size %d", pageSize), nil)
	}

	// bbolt uses the valid meta with the highest transaction ID.
	m1, err := readMeta(f, pageSize)
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	m := m0
	if !m0.valid() || (m1.valid() && m1.txid > m0.txid) {
		m = m1
	}
	// A running bot may have grown the file and committed since the
	// first Stat; its size never lags its meta page, so look again.
	if info, err = f.Stat(); err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	size = info.Size()
	switch need := int64(m.pgid) * pageSize; {
	case m.pgid < 2 || need < 0 || need/pageSize != int64(m.pgid):
		return corrupt(path, fmt.Sprintf("implausible page count %d", m.pgid), nil)
	case size < need:
		return corrupt(path, fmt.Sprintf("file is truncated: %d bytes, its meta page needs %d (%d pages of %d)", size, need, m.pgid, pageSize), nil)
	case m.root >= m.pgid:
		return corrupt(path, fmt.Sprintf("root page %d is past the end (%d pages)", m.root, m.pgid), nil)
	case m.freelist >= m.pgid && m.freelist != pgidNoFreelist:
		return corrupt(path, fmt.Sprintf("freelist page %d is past the end (%d pages)", m.freelist, m.pgid), nil)
	}
	if why := checkRootAndFreelist(f, m, pageSize); why != "" {
		return corrupt(path, why+"; "+restoreAdvice(path), nil)
	}
	return nil
}

// bbolt's page header: id (8 bytes), flags (2), count (2), overflow (4).
const (
	branchPageFlag   = 0x01
	leafPageFlag     = 0x02
	freelistPageFlag = 0x10
)

// checkRootAndFreelist reads the two pages a write meets first: the root
// bucket's page must be a branch or leaf page, and the freelist page a
// freelist whose ids are sorted, unique and in [2, pgid), none of them
// the root or the freelist itself. A damaged freelist hands out pages in
// use, so the first commit would overwrite live data; the full page check
// (check.go) may then run after the open. A few KB to read, where the
// full check visits every page.
func checkRootAndFreelist(f *os.File, m boltMeta, pageSize int64) string {
	e := binary.NativeEndian
	hdr := make([]byte, pageHeaderSize)
	if _, err := f.ReadAt(hdr, int64(m.root)*pageSize); err != nil {
		return fmt.Sprintf("root page %d cannot be read: %v", m.root, err)
	}
	if id, flags := e.Uint64(hdr), e.Uint16(hdr[8:]); id != m.root || (flags != branchPageFlag && flags != leafPageFlag) {
		return fmt.Sprintf("root page %d is not a branch or leaf page (id %d, flags %#x)", m.root, id, flags)
	}
	if m.freelist == pgidNoFreelist {
		return ""
	}
	if _, err := f.ReadAt(hdr, int64(m.freelist)*pageSize); err != nil {
		return fmt.Sprintf("freelist page %d cannot be read: %v", m.freelist, err)
	}
	id, flags, count, overflow := e.Uint64(hdr), e.Uint16(hdr[8:]), uint64(e.Uint16(hdr[10:])), uint64(e.Uint32(hdr[12:]))
	if id != m.freelist || flags != freelistPageFlag {
		return fmt.Sprintf("freelist page %d is not a freelist page (id %d, flags %#x)", m.freelist, id, flags)
	}
	if m.freelist+overflow >= m.pgid {
		return fmt.Sprintf("freelist page %d runs past the end (%d overflow pages, %d pages)", m.freelist, overflow, m.pgid)
	}
	size := int64(overflow+1) * pageSize
	buf := make([]byte, size)
	if _, err := f.ReadAt(buf, int64(m.freelist)*pageSize); err != nil {
		return fmt.Sprintf("freelist page %d cannot be read: %v", m.freelist, err)
	}
	ids := buf[pageHeaderSize:]
	if count == 0xFFFF { // the real count is the first element
		count, ids = e.Uint64(ids), ids[8:]
	}
	if count > uint64(len(ids))/8 {
		return fmt.Sprintf("freelist page %d claims %d free pages, more than its %d bytes hold", m.freelist, count, size)
	}
	prev := uint64(1)
	for i := range count {
		p := e.Uint64(ids[8*i:])
		switch {
		case p <= prev:
			return fmt.Sprintf("freelist page %d: free page %d is out of order or twice (after %d)", m.freelist, p, prev)
		case p >= m.pgid:
			return fmt.Sprintf("freelist page %d: free page %d is past the end (%d pages)", m.freelist, p, m.pgid)
		case p == m.root, p >= m.freelist && p <= m.freelist+overflow:
			return fmt.Sprintf("freelist page %d: page %d is free and in use", m.freelist, p)
		}
		prev = p
	}
	return ""
}

func readMeta(f *os.File, off int64) (boltMeta, error) {
	buf := make([]byte, minMetaBytes)
	n, err := f.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return boltMeta{}, err
	}
	m, _ := parseMeta(buf[:n])
	return m, nil
}
