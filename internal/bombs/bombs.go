// Package bombs builds hostile inputs that are small on the wire and huge
// once expanded: YAML alias bombs and spreadsheet zip bombs. The tests and
// bench/bombs send them to every parser that reads user input, to prove that
// each refuses them within its resource limits.
package bombs

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"runtime/metrics"
	"strings"
)

// BillionLaughs returns a YAML document of nested aliases: level 0 is a list
// of nine strings and each of the next eight levels lists the previous one
// nine times, so that expanding the last alias yields 9^9 (387,420,489)
// strings from about 400 bytes. The mapping looks like the start of a model.
func BillionLaughs() []byte {
	var b strings.Builder
	b.WriteString("id: lol\nversion: 1.0.0\nname: Laughs\n")
	b.WriteString("a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		refs := strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",")
		fmt.Fprintf(&b, "%s: &%s [%s]\n", name, name, refs)
		prev = name
	}
	b.WriteString("objectives: *i\n")
	return []byte(b.String())
}

// MergeKeys returns a YAML document whose mapping at level n merges the one
// at level n-1 twice through the merge key <<, for 39 levels: 2^39 merge
// keys from about 1.2 KB.
func MergeKeys() []byte {
	var b strings.Builder
	b.WriteString("id: merge\nversion: 1.0.0\nname: Merge keys\n")
	b.WriteString("l0: &l0 {x: 1}\n")
	for n := 1; n <= 39; n++ {
		fmt.Fprintf(&b, "l%d: &l%d {<<: [*l%d, *l%d]}\n", n, n, n-1, n-1)
	}
	b.WriteString("levels: [*l39]\n")
	return []byte(b.String())
}

// Deep returns a YAML document nested depth flow sequences deep.
func Deep(depth int) []byte {
	return []byte("id: deep\nobjectives: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
}

// sheetRow is one row of the zip bomb's worksheet: one inline string cell.
const sheetRow = `<row><c t="inlineStr"><is><t>lol</t></is></c></row>`

// XLSX returns a workbook whose only worksheet unpacks to at least unpacked
// bytes of rows (one inline-string cell each), deflated to about a
// thousandth of that. The worksheet is one deflate stream made of a block
// compressed once and repeated, so building a 1 GiB bomb takes well under a
// second and little memory beyond the result.
func XLSX(unpacked int64) ([]byte, error) {
	const chunkRows = 1 << 14
	chunk := []byte(strings.Repeat(sheetRow, chunkRows))
	head := []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	tail := []byte(`</sheetData></worksheet>`)
	n := (unpacked + int64(len(chunk)) - 1) / int64(len(chunk))

	block := func(data []byte) ([]byte, error) {
		var buf bytes.Buffer
		w, err := flate.NewWriter(&buf, flate.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		// Flush ends the blocks on a byte boundary without the final-block
		// bit, and a fresh writer never refers back before its own data, so
		// such blocks can be laid end to end.
		if err := w.Flush(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	headZ, err := block(head)
	if err != nil {
		return nil, err
	}
	chunkZ, err := block(chunk)
	if err != nil {
		return nil, err
	}
	tailZ, err := block(tail)
	if err != nil {
		return nil, err
	}
	var stream bytes.Buffer
	stream.Write(headZ)
	crc := crc32.Update(0, crc32.IEEETable, head)
	for range n {
		stream.Write(chunkZ)
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	stream.Write(tailZ)
	crc = crc32.Update(crc, crc32.IEEETable, tail)
	stream.Write([]byte{0x03, 0x00}) // an empty final block with fixed codes
	size := int64(len(head)) + n*int64(len(chunk)) + int64(len(tail))

	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range xlsxParts {
		w, err := zw.Create(f.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			return nil, err
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CRC32: crc, CompressedSize64: uint64(stream.Len()), UncompressedSize64: uint64(size),
	})
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(stream.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// xlsxParts are the parts of a minimal workbook besides its worksheet.
var xlsxParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Objectives" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
}

// CSV returns a CSV file of rows lines of cols short cells each.
func CSV(rows, cols int) []byte {
	line := strings.TrimSuffix(strings.Repeat("x,", cols), ",") + "\n"
	return []byte(strings.Repeat(line, rows))
}

// MaxHeapGrowth is the bound the tests hold every parser to: handling one
// bomb may allocate at most this much, garbage included.
const MaxHeapGrowth = 64 << 20

// Allocated returns the bytes the process allocated on the Go heap while f
// ran (runtime/metrics /gc/heap/allocs:bytes, which counts garbage too, so
// that a parser that expands a bomb and drops it still shows).
func Allocated(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	f()
	metrics.Read(sample)
	return sample[0].Value.Uint64() - before
}
