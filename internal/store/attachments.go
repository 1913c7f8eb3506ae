package store

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

// Attachment kinds.
const (
	AttachmentLink = "link"
	AttachmentFile = "file"
)

// MaxAttachmentBytes bounds one uploaded file of an objective's evidence.
const MaxAttachmentBytes = 10 << 20

// MaxURL bounds the URL of a link, in bytes.
const MaxURL = 2000

// AttachmentTypes are the media types a file may be served as; every other
// file is served as application/octet-stream.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain; charset=utf-8"}

// Attachment is a link or an uploaded file that backs the answer to an
// objective of an assessment, with who added it and when. A file's
// contents are read on their own (AttachmentContent).
type Attachment struct {
	ID           string `json:"id"`
	AssessmentID string `json:"assessment_id"`
	Objective    string `json:"objective"`
	// Kind is link or file.
	Kind string `json:"kind"`
	// Title is a link's title or a file's name.
	Title string `json:"title"`
	// URL is a link's address (http or https); "" for a file.
	URL string `json:"url,omitempty"`
	// ContentType is the media type a file is served as; Size its length in bytes.
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	// AddedBy is the user who added it (also through an API token);
	// AddedByName the user's name at the time.
	AddedBy     string    `json:"added_by"`
	AddedByName string    `json:"added_by_name"`
	Added       time.Time `json:"added"`
}

// FileName is the name of a file as a download gives it: the title without
// any path, control character, quote or separator, at most 200 characters;
// "attachment" when nothing is left.
func FileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "/" || name == "." {
		return "attachment"
	}
	var b strings.Builder
	n := 0
	for _, r := range name {
		if n >= textfield.MaxName {
			break
		}
		switch {
		case unicode.IsControl(r), r == '"', r == '/', r == '\\', r == ';', r == ':', r == '*', r == '?', r == '<', r == '>', r == '|':
			r = '_'
		}
		b.WriteRune(r)
		n++
	}
	out := strings.TrimSpace(b.String())
	if out == "" || out == "." || out == ".." {
		return "attachment"
	}
	return out
}

// ServedType is the media type a file is served as: its sniffed type when
// that is one of AttachmentTypes, else application/octet-stream, so that
// nothing uploaded is ever served as HTML or script.
func ServedType(data []byte) string {
	t := http.DetectContentType(data)
	for _, ok := range AttachmentTypes {
		if t == ok {
			return t
		}
	}
	return "application/octet-stream"
}

// CheckLink checks a link's URL and title: an absolute http or https URL of
// at most MaxURL bytes with a host, and a title of at most 200 characters.
// It returns the title to store (the URL when the title is empty).
func CheckLink(rawURL, title string) (string, error) {
	rawURL, title = strings.TrimSpace(rawURL), strings.TrimSpace(title)
	if rawURL == "" {
		return "", csmm.Errorf(csmm.EINVALID, "the link has no URL; expected an http or https address")
	}
	if len(rawURL) > MaxURL {
		return "", csmm.Errorf(csmm.EINVALID, "the URL is %d bytes long; the limit is %d", len(rawURL), MaxURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || strings.ContainsAny(rawURL, " \t\r\n") {
		return "", csmm.Errorf(csmm.EINVALID, "%q is not a link: expected an http or https address such as https://wiki.example.com/page", rawURL)
	}
	if title == "" {
		title = rawURL
		if len([]rune(title)) > textfield.MaxName {
			title = string([]rune(title)[:textfield.MaxName])
		}
	}
	if err := textfield.Name("the link title", title); err != nil {
		return "", err
	}
	return title, nil
}

const attachmentColumns = "id, assessment_id, objective, kind, title, url, content_type, size, added_by, added_by_name, added_at"

func scanAttachment(sc interface{ Scan(...any) error }) (*Attachment, error) {
	var a Attachment
	err := sc.Scan(&a.ID, &a.AssessmentID, &a.Objective, &a.Kind, &a.Title, &a.URL, &a.ContentType, &a.Size, &a.AddedBy, &a.AddedByName, timeCol{&a.Added})
	return &a, err
}

// AddLink adds a link (an http or https URL and a title; the URL when the
// title is empty) to an objective of an assessment. It returns invalid for
// an empty objective or a bad URL or title, and not_found for another
// organization's assessment.
func (s *Store) AddLink(ctx context.Context, orgID string, actor Actor, assessmentID, objective, rawURL, title string) (_ *Attachment, err error) {
	defer wrap(&err, "add link(%s, %s, %s)", orgID, assessmentID, objective)
	title, err = CheckLink(rawURL, title)
	if err != nil {
		return nil, err
	}
	return s.addAttachment(ctx, orgID, actor, &Attachment{AssessmentID: assessmentID, Objective: objective, Kind: AttachmentLink, Title: title, URL: strings.TrimSpace(rawURL)}, nil)
}

// AddFile stores an uploaded file (its name and contents) for an objective
// of an assessment, served later as ServedType of its contents. It returns
// too_large over MaxAttachmentBytes, invalid for an empty objective or file,
// and not_found for another organization's assessment; nothing is stored
// on any error.
func (s *Store) AddFile(ctx context.Context, orgID string, actor Actor, assessmentID, objective, name string, data []byte) (_ *Attachment, err error) {
	defer wrap(&err, "add file(%s, %s, %s)", orgID, assessmentID, objective)
	if len(data) > MaxAttachmentBytes {
		return nil, csmm.Errorf(csmm.ETOOLARGE, "the file is %d bytes; the limit is %d MiB and nothing was stored", len(data), MaxAttachmentBytes>>20)
	}
	if len(data) == 0 {
		return nil, csmm.Errorf(csmm.EINVALID, "the file %q is empty; nothing was stored", name)
	}
	a := &Attachment{AssessmentID: assessmentID, Objective: objective, Kind: AttachmentFile, Title: FileName(name),
		ContentType: ServedType(data), Size: int64(len(data))}
	return s.addAttachment(ctx, orgID, actor, a, data)
}

func (s *Store) addAttachment(ctx context.Context, orgID string, actor Actor, a *Attachment, data []byte) (*Attachment, error) {
	a.Objective = strings.TrimSpace(a.Objective)
	if a.Objective == "" {
		return nil, csmm.Errorf(csmm.EINVALID, "the evidence has no objective")
	}
	if data == nil {
		data = []byte{}
	}
	err := s.write(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, a.AssessmentID); err != nil {
			return err
		}
		// Who added it is the person, also when they used an API token.
		a.ID, a.AddedBy, a.Added = NewID(), actor.UserID, tx.now
		if actor.UserID != "" {
			if err := tx.queryRow(ctx, "SELECT name FROM users WHERE id = ?", actor.UserID).Scan(&a.AddedByName); err != nil {
				return notFound(err, "user", actor.UserID)
			}
		}
		if _, err := tx.exec(ctx, "INSERT INTO attachments (org_id, "+attachmentColumns+", content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			orgID, a.ID, a.AssessmentID, a.Objective, a.Kind, a.Title, a.URL, a.ContentType, a.Size, a.AddedBy, a.AddedByName, micros(a.Added), data); err != nil {
			return err
		}
		if err := raiseRevision(ctx, tx, orgID, a.AssessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"attachment.add", "attachment", a.ID, nil, a})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// ListAttachments returns the links and files of an assessment's
// objectives (without the files' contents), by objective and oldest first.
// It returns not_found for another organization's assessment.
func (s *Store) ListAttachments(ctx context.Context, orgID, assessmentID string) (_ []Attachment, err error) {
	defer wrap(&err, "list attachments(%s, %s)", orgID, assessmentID)
	var out []Attachment
	err = s.read(ctx, func(tx *tx) error {
		if _, err := getAssessment(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		rows, err := tx.query(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE org_id = ? AND assessment_id = ? ORDER BY objective, added_at, id", orgID, assessmentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = []Attachment{}
		for rows.Next() {
			a, err := scanAttachment(rows)
			if err != nil {
				return err
			}
			out = append(out, *a)
		}
		return rows.Err()
	})
	return out, err
}

func getAttachment(ctx context.Context, tx *tx, orgID, assessmentID, id string) (*Attachment, error) {
	a, err := scanAttachment(tx.queryRow(ctx, "SELECT "+attachmentColumns+" FROM attachments WHERE org_id = ? AND assessment_id = ? AND id = ?", orgID, assessmentID, id))
	if err != nil {
		return nil, notFound(err, "evidence", id)
	}
	return a, nil
}

// GetAttachment returns a link or file of an assessment without a file's
// contents. It returns not_found for an unknown ID or another
// organization's or assessment's attachment.
func (s *Store) GetAttachment(ctx context.Context, orgID, assessmentID, id string) (_ *Attachment, err error) {
	defer wrap(&err, "get attachment(%s, %s, %s)", orgID, assessmentID, id)
	var a *Attachment
	err = s.readOne(ctx, func(tx *tx) error {
		a, err = getAttachment(ctx, tx, orgID, assessmentID, id)
		return err
	})
	return a, err
}

// AttachmentContent returns a file of an assessment with its contents (a
// link has none). It returns not_found for an unknown ID or another
// organization's or assessment's attachment.
func (s *Store) AttachmentContent(ctx context.Context, orgID, assessmentID, id string) (_ *Attachment, _ []byte, err error) {
	defer wrap(&err, "attachment content(%s, %s, %s)", orgID, assessmentID, id)
	var a *Attachment
	var data []byte
	err = s.readOne(ctx, func(tx *tx) error {
		row := tx.queryRow(ctx, "SELECT "+attachmentColumns+", content FROM attachments WHERE org_id = ? AND assessment_id = ? AND id = ?", orgID, assessmentID, id)
		a = &Attachment{}
		return row.Scan(&a.ID, &a.AssessmentID, &a.Objective, &a.Kind, &a.Title, &a.URL, &a.ContentType, &a.Size, &a.AddedBy, &a.AddedByName, timeCol{&a.Added}, &data)
	})
	if err != nil {
		return nil, nil, notFound(err, "evidence", id)
	}
	if data == nil {
		data = []byte{}
	}
	return a, data, nil
}

// DeleteAttachment removes a link or file of an assessment. Only who added
// it may, unless anyone is true (an admin); another member gets forbidden.
// It returns not_found for an unknown ID or another organization's
// attachment.
func (s *Store) DeleteAttachment(ctx context.Context, orgID string, actor Actor, assessmentID, id string, anyone bool) (err error) {
	defer wrap(&err, "delete attachment(%s, %s, %s)", orgID, assessmentID, id)
	return s.write(ctx, func(tx *tx) error {
		a, err := getAttachment(ctx, tx, orgID, assessmentID, id)
		if err != nil {
			return err
		}
		if !anyone && (actor.UserID == "" || a.AddedBy != actor.UserID) {
			return csmm.Errorf(csmm.EFORBIDDEN, "only %s, who added %q, or an admin may remove it", a.AddedByName, a.Title)
		}
		if _, err := tx.exec(ctx, "DELETE FROM attachments WHERE org_id = ? AND assessment_id = ? AND id = ?", orgID, assessmentID, id); err != nil {
			return err
		}
		if err := raiseRevision(ctx, tx, orgID, assessmentID); err != nil {
			return err
		}
		return audit(ctx, tx, orgID, actor, auditRecord{"attachment.delete", "attachment", a.ID, a, nil})
	})
}
