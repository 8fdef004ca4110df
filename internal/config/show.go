package config

import (
	"fmt"
	"reflect"
	"strings"
)

// Value is one setting as the dry run shows it.
type Value struct {
	Name   string `json:"-"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
}

// Values lists every setting in table order with its value and source;
// tokens show as *** when set.
func (c *Config) Values() []Value {
	byName := map[string]string{}
	v := reflect.ValueOf(c.Settings)
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("env"), ",")
		byName[name] = fmt.Sprint(v.Field(i).Interface())
	}
	out := make([]Value, 0, len(table))
	for _, s := range table {
		value := byName[s.name]
		switch {
		case c.Sources[s.name] == "":
			value = ""
		case s.secret:
			value = "***"
		}
		out = append(out, Value{Name: s.name, Value: value, Source: c.Sources[s.name]})
	}
	return out
}
