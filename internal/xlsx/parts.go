package xlsx

import (
	"strconv"
	"strings"
	"time"
)

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
	relType   = nsRel + "/"
)

// rootRels are the package relationships: the workbook and the document
// properties.
const rootRels = `<Relationships xmlns="` + nsPkgRel + `">` +
	`<Relationship Id="rId1" Type="` + relType + `officeDocument" Target="xl/workbook.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`<Relationship Id="rId3" Type="` + relType + `extended-properties" Target="docProps/app.xml"/>` +
	`</Relationships>`

// appendAttr appends s escaped for an attribute value in double quotes.
func appendAttr(b []byte, s string) []byte { return appendEscaped(b, s, true) }

// quoteSheet is the sheet name as formulas refer to it: in apostrophes,
// apostrophes in it doubled.
func quoteSheet(name string) string {
	return "'" + strings.ReplaceAll(name, "'", "''") + "'"
}

// absolute is the range A1:B2 as $A$1:$B$2.
func absolute(ref string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(ref, ":") {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		i := strings.IndexAny(part, "0123456789")
		b.WriteString("$" + part[:i] + "$" + part[i:])
	}
	return b.String()
}

func (w *Writer) workbook() []byte {
	b := []byte(xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><workbookPr/><bookViews><workbookView activeTab="` +
		strconv.Itoa(w.active) + `"/></bookViews><sheets>`)
	for _, s := range w.sheets {
		n := strconv.Itoa(s.index + 1)
		b = append(b, `<sheet name="`...)
		b = appendAttr(b, s.name)
		b = append(b, `" sheetId="`+n+`" r:id="rId`+n+`"/>`...)
	}
	b = append(b, `</sheets>`...)
	names := false
	for _, s := range w.sheets {
		if s.filter == "" {
			continue
		}
		if !names {
			b = append(b, `<definedNames>`...)
			names = true
		}
		b = append(b, `<definedName name="_xlnm._FilterDatabase" localSheetId="`+strconv.Itoa(s.index)+`" hidden="1">`...)
		b = AppendText(b, quoteSheet(s.name)+"!"+absolute(s.filter))
		b = append(b, `</definedName>`...)
	}
	if names {
		b = append(b, `</definedNames>`...)
	}
	return append(b, `</workbook>`...)
}

func (w *Writer) workbookRels() []byte {
	b := []byte(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">`)
	for _, s := range w.sheets {
		n := strconv.Itoa(s.index + 1)
		b = append(b, `<Relationship Id="rId`+n+`" Type="`+relType+`worksheet" Target="worksheets/sheet`+n+`.xml"/>`...)
	}
	b = append(b, `<Relationship Id="rId`+strconv.Itoa(len(w.sheets)+1)+`" Type="`+relType+`styles" Target="styles.xml"/>`...)
	return append(b, `</Relationships>`...)
}

func (w *Writer) contentTypes() []byte {
	const ct = "application/vnd.openxmlformats-officedocument."
	b := []byte(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ct + `spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="` + ct + `spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="` + ct + `extended-properties+xml"/>`)
	for _, s := range w.sheets {
		b = append(b, `<Override PartName="/`+s.part()+`" ContentType="`+ct+`spreadsheetml.worksheet+xml"/>`...)
	}
	return append(b, `</Types>`...)
}

func (w *Writer) core() []byte {
	b := []byte(xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	if w.props.Title != "" {
		b = append(b, `<dc:title>`...)
		b = AppendText(b, w.props.Title)
		b = append(b, `</dc:title>`...)
	}
	if w.props.Creator != "" {
		b = append(b, `<dc:creator>`...)
		b = AppendText(b, w.props.Creator)
		b = append(b, `</dc:creator>`...)
	}
	if !w.props.Created.IsZero() {
		t := w.props.Created.UTC().Format(time.RFC3339)
		b = append(b, `<dcterms:created xsi:type="dcterms:W3CDTF">`+t+`</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">`+t+`</dcterms:modified>`...)
	}
	return append(b, `</cp:coreProperties>`...)
}

func (w *Writer) app() []byte {
	b := []byte(xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" ` +
		`xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>`)
	app := w.props.Creator
	if app == "" {
		app = "csmm"
	}
	b = AppendText(b, app)
	b = append(b, `</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>`+
		strconv.Itoa(len(w.sheets))+`</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="`+strconv.Itoa(len(w.sheets))+`" baseType="lpstr">`...)
	for _, s := range w.sheets {
		b = append(b, `<vt:lpstr>`...)
		b = AppendText(b, s.name)
		b = append(b, `</vt:lpstr>`...)
	}
	return append(b, `</vt:vector></TitlesOfParts></Properties>`...)
}
