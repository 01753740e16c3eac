package store

import (
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// bufferedRows is a result read into memory, for the read session's
// pipelined statements: the round trip that carried it has ended, and the
// caller scans it afterwards in its own goroutine. It implements pgx.Rows
// with pgx's own decoding (the connection's type map's scan plans).
type bufferedRows struct {
	types  *pgtype.Map
	fields []pgconn.FieldDescription
	data   [][][]byte // rows of raw column values; nil values are SQL NULL
	tag    pgconn.CommandTag
	at     int // the current row, 1-based; 0 before the first Next
	err    error
	// The scan plans of the columns, made on the first Scan and kept for
	// the rows after it while the destinations' types stay the same, as
	// pgx's own rows do: planning per row cost an allocation per column.
	plans     []pgtype.ScanPlan
	planTypes []reflect.Type
}

// buffer reads rows to the end. It returns the query's error, if any.
func buffer(conn *pgx.Conn, rows pgx.Rows, err error) (*bufferedRows, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b := &bufferedRows{types: conn.TypeMap()}
	b.fields = append([]pgconn.FieldDescription(nil), rows.FieldDescriptions()...)
	for rows.Next() {
		raw := rows.RawValues()
		size := 0
		for _, v := range raw {
			size += len(v)
		}
		// One allocation for the row's bytes, one for its column slices.
		slab := make([]byte, 0, size)
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v == nil {
				continue
			}
			start := len(slab)
			slab = append(slab, v...)
			row[i] = slab[start:len(slab):len(slab)]
		}
		b.data = append(b.data, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	b.tag = rows.CommandTag()
	return b, nil
}

func (b *bufferedRows) Close() {
	if b.at <= len(b.data) {
		b.at = len(b.data) + 1
	}
}

func (b *bufferedRows) Err() error                                   { return b.err }
func (b *bufferedRows) CommandTag() pgconn.CommandTag                { return b.tag }
func (b *bufferedRows) FieldDescriptions() []pgconn.FieldDescription { return b.fields }
func (b *bufferedRows) Conn() *pgx.Conn                              { return nil }

func (b *bufferedRows) Next() bool {
	if b.err != nil || b.at > len(b.data) {
		return false
	}
	b.at++
	return b.at <= len(b.data)
}

func (b *bufferedRows) RawValues() [][]byte {
	if b.at < 1 || b.at > len(b.data) {
		return nil
	}
	return b.data[b.at-1]
}

func (b *bufferedRows) Scan(dest ...any) error {
	raw := b.RawValues()
	if raw == nil {
		return pgx.ErrNoRows
	}
	if len(dest) == 1 {
		if rs, ok := dest[0].(pgx.RowScanner); ok {
			if err := rs.ScanRow(b); err != nil {
				b.err = err
				return err
			}
			return nil
		}
	}
	if len(b.fields) != len(dest) {
		b.err = fmt.Errorf("number of field descriptions must equal number of destinations, got %d and %d", len(b.fields), len(dest))
		return b.err
	}
	if b.plans == nil {
		b.plans = make([]pgtype.ScanPlan, len(dest))
		b.planTypes = make([]reflect.Type, len(dest))
	}
	for i, dst := range dest {
		if dst == nil {
			continue
		}
		if t := reflect.TypeOf(dst); b.plans[i] == nil || b.planTypes[i] != t {
			b.plans[i] = b.types.PlanScan(b.fields[i].DataTypeOID, b.fields[i].Format, dst)
			b.planTypes[i] = t
		}
		if err := b.plans[i].Scan(raw[i], dst); err != nil {
			b.err = pgx.ScanArgError{ColumnIndex: i, FieldName: b.fields[i].Name, Err: err}
			return b.err
		}
	}
	return nil
}

func (b *bufferedRows) Values() ([]any, error) {
	raw := b.RawValues()
	if raw == nil {
		return nil, pgx.ErrNoRows
	}
	out := make([]any, len(raw))
	for i, v := range raw {
		if v == nil {
			continue
		}
		fd := b.fields[i]
		if t, ok := b.types.TypeForOID(fd.DataTypeOID); ok {
			val, err := t.Codec.DecodeValue(b.types, fd.DataTypeOID, fd.Format, v)
			if err != nil {
				b.err = err
				return nil, err
			}
			out[i] = val
			continue
		}
		if fd.Format == pgx.TextFormatCode {
			out[i] = string(v)
		} else {
			out[i] = append([]byte(nil), v...)
		}
	}
	return out, nil
}

func (b *bufferedRows) TypeMap() *pgtype.Map { return b.types }
