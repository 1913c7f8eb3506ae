package prowler

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/csmm/csmm/internal/evidence"
)

// ocsfFinding is the part of an OCSF Detection Finding written by Prowler
// that evidence needs, read by decodeOCSF. The struct tags name the same
// members for DecodeRecord, which the tests hold decodeOCSF's results and
// errors equal to.
type ocsfFinding struct {
	StatusCode *string `json:"status_code"`
	Status     string  `json:"status"`
	// Time is the event time: Unix seconds as Prowler writes it
	// (milliseconds in OCSF itself); TimeDT the same as text (Prowler 4.5
	// and later), EventTime its name before 4.5.
	Time        jsontext.Value  `json:"time"`
	TimeDT      string          `json:"time_dt"`
	EventTime   string          `json:"event_time"`
	Metadata    ocsfMetadata    `json:"metadata"`
	FindingInfo ocsfFindingInfo `json:"finding_info"`
	// Cloud is nil when the finding has none; it points to cloud, reused
	// from record to record.
	Cloud     *ocsfCloud     `json:"cloud"`
	Resources []ocsfResource `json:"resources"`
	Unmapped  ocsfUnmapped   `json:"unmapped"`

	cloud ocsfCloud
}

type ocsfMetadata struct {
	EventCode string `json:"event_code"`
}

type ocsfFindingInfo struct {
	UID           string `json:"uid"`
	CreatedTimeDT string `json:"created_time_dt"`
}

type ocsfCloud struct {
	Provider string      `json:"provider"`
	Region   string      `json:"region"`
	Account  ocsfAccount `json:"account"`
}

type ocsfAccount struct {
	UID string `json:"uid"`
}

type ocsfResource struct {
	UID       string `json:"uid"`
	Name      string `json:"name"`
	Region    string `json:"region"`
	Namespace string `json:"namespace"`
}

type ocsfUnmapped struct {
	Muted jsontext.Value `json:"muted"`
}

// decodeOCSF reads the finding at dec into f, which it resets first
// (keeping its storage).
func decodeOCSF(dec *evidence.Scanner, f *ocsfFinding) error {
	*f = ocsfFinding{Time: f.Time[:0], Resources: f.Resources[:0], Unmapped: ocsfUnmapped{Muted: f.Unmapped.Muted[:0]}}
	_, err := evidence.ReadObject(dec, func(name []byte) (bool, error) {
		switch string(name) {
		case "status_code":
			return true, evidence.ReadStringPtr(dec, &f.StatusCode)
		case "status":
			return true, evidence.ReadString(dec, &f.Status)
		case "time":
			return true, evidence.ReadRaw(dec, &f.Time)
		case "time_dt":
			return true, evidence.ReadString(dec, &f.TimeDT)
		case "event_time":
			return true, evidence.ReadString(dec, &f.EventTime)
		case "metadata":
			return true, evidence.ReadStruct(dec, &f.Metadata)
		case "finding_info":
			return true, evidence.ReadStruct(dec, &f.FindingInfo)
		case "cloud":
			return true, evidence.ReadOptional(&f.Cloud, &f.cloud, func(c *ocsfCloud) (bool, error) {
				return evidence.ReadObject(dec, func(name []byte) (bool, error) {
					switch string(name) {
					case "provider":
						return true, evidence.ReadString(dec, &c.Provider)
					case "region":
						return true, evidence.ReadString(dec, &c.Region)
					case "account":
						return true, evidence.ReadStruct(dec, &c.Account)
					}
					return false, nil
				})
			})
		case "resources":
			return true, evidence.ReadStructs(dec, &f.Resources)
		case "unmapped":
			u := &f.Unmapped
			ok, err := evidence.ReadObject(dec, func(name []byte) (bool, error) {
				if string(name) == "muted" {
					return true, evidence.ReadRaw(dec, &u.Muted)
				}
				return false, nil
			})
			if !ok {
				u.Muted = u.Muted[:0]
			}
			return true, err
		}
		return false, nil
	})
	return err
}

// Field returns the string member name of metadata goes into.
func (m *ocsfMetadata) Field(name []byte) *string {
	if string(name) == "event_code" {
		return &m.EventCode
	}
	return nil
}

// Field returns the string member name of finding_info goes into.
func (fi *ocsfFindingInfo) Field(name []byte) *string {
	switch string(name) {
	case "uid":
		return &fi.UID
	case "created_time_dt":
		return &fi.CreatedTimeDT
	}
	return nil
}

// Field returns the string member name of cloud.account goes into.
func (a *ocsfAccount) Field(name []byte) *string {
	if string(name) == "uid" {
		return &a.UID
	}
	return nil
}

// Field returns the string member name of a resource goes into.
func (r *ocsfResource) Field(name []byte) *string {
	switch string(name) {
	case "uid":
		return &r.UID
	case "name":
		return &r.Name
	case "region":
		return &r.Region
	case "namespace":
		return &r.Namespace
	}
	return nil
}

// ReadOCSF reads Prowler's JSON-OCSF output: a JSON list of Detection
// Findings. The check is metadata.event_code (else the check in
// finding_info.uid); the outcome is status_code PASS, FAIL or MANUAL; a
// finding is muted when its status is Suppressed (or unmapped.muted is true).
// The provider is cloud.provider; Prowler writes no cloud object only for
// Kubernetes. The finding's time is time (Unix seconds, or milliseconds),
// else time_dt, else event_time (Prowler 4 before 4.5), else
// finding_info.created_time_dt.
func ReadOCSF(file string, r io.Reader, emit evidence.Emit) error {
	return evidence.ReadRecords(file, r, nil, newOCSFReader, emit)
}

// newOCSFReader returns a reader of OCSF findings with its own storage.
func newOCSFReader() evidence.RecordReader {
	var ids idCache
	var times evidence.TimeParser
	var f ocsfFinding
	return func(dec *evidence.Scanner, rec int, emit evidence.Emit) error {
		if err := decodeOCSF(dec, &f); err != nil {
			return err
		}
		if f.StatusCode == nil {
			return &evidence.FieldError{Field: "status_code", Message: "missing; expected PASS, FAIL or MANUAL"}
		}
		check := f.Metadata.EventCode
		var uidProvider, uidCheck string
		if check == "" || f.Cloud == nil || f.Cloud.Provider == "" {
			uidProvider, uidCheck = fromUID(f.FindingInfo.UID)
		}
		if check == "" {
			check = uidCheck
		}
		if !validCheck(check) {
			return &evidence.FieldError{Field: "metadata.event_code", Message: "missing; expected the Prowler check ID"}
		}
		var provider, account, region string
		switch {
		case f.Cloud != nil && f.Cloud.Provider != "":
			provider, account, region = f.Cloud.Provider, f.Cloud.Account.UID, f.Cloud.Region
		case uidProvider != "":
			provider = uidProvider
		case f.Cloud == nil:
			provider = "kubernetes"
		default:
			return &evidence.FieldError{Field: "cloud.provider", Message: "missing; expected the provider (aws, azure, gcp, ...)"}
		}
		st, _ := status(*f.StatusCode)
		when, err := ocsfTime(&f, &times)
		if err != nil {
			return err
		}
		fd := evidence.Finding{
			CheckID: ids.get(provider, check),
			Account: account,
			Region:  region,
			Status:  st,
			Muted:   strings.EqualFold(f.Status, "Suppressed") || isTrue(f.Unmapped.Muted),
			Time:    when,
		}
		if len(f.Resources) > 0 {
			r := f.Resources[0]
			fd.Resource = r.UID
			if fd.Resource == "" {
				fd.Resource = r.Name
			}
			if fd.Region == "" {
				fd.Region = r.Region
			}
			if fd.Region == "" {
				fd.Region = r.Namespace
			}
		}
		return emit(fd)
	}
}

// isTrue reports whether a raw JSON value is true or "true".
func isTrue(raw jsontext.Value) bool {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	return strings.EqualFold(s, "true")
}

// ocsfTime returns the time of an OCSF finding: time, a number (or a
// number or a date and time in a string), is preferred to time_dt, which
// Prowler writes in its local time without a zone.
func ocsfTime(f *ocsfFinding, times *evidence.TimeParser) (time.Time, error) {
	raw := strings.Trim(strings.TrimSpace(string(f.Time)), `"`)
	if raw != "" && raw != "null" {
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			// A writer that puts the date and time itself in time.
			if t, err := times.Parse(raw); err == nil {
				return t, nil
			}
			return time.Time{}, &evidence.FieldError{Field: "time", Message: fmt.Sprintf("%s; expected seconds or milliseconds since 1970-01-01", f.Time)}
		}
		t, err := evidence.UnixTime(v)
		if err != nil {
			return time.Time{}, &evidence.FieldError{Field: "time", Message: err.Error()}
		}
		return t, nil
	}
	return times.Field("time_dt", f.TimeDT, "event_time", f.EventTime, "finding_info.created_time_dt", f.FindingInfo.CreatedTimeDT)
}
