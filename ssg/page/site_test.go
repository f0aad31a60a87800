package page

import (
	"reflect"
	"testing"

	"wasmsite/ssg/config"
)

// TestSiteSettingsInTemplates checks that .Site offers every setting of
// site.toml under its Config field name, with its value (Site copies
// them rather than embedding Config).
func TestSiteSettingsInTemplates(t *testing.T) {
	cfg := config.Config{Title: "T", Author: "A", BaseURL: "https://b.example", Description: "D",
		Language: "fr", Paginate: 7, FeedLimit: 9, TemplatesDir: "tpl", Extra: map[string]any{"k": "v"}}
	site := reflect.ValueOf(NewSite(cfg, nil, nil, nil)).Elem()
	ct := reflect.TypeOf(cfg)
	for i := range ct.NumField() {
		name := ct.Field(i).Name
		if name == "TemplatesDir" { // where templates come from, not for them
			continue
		}
		f := site.FieldByName(name)
		if !f.IsValid() {
			t.Errorf(".Site.%s: no such field", name)
			continue
		}
		if want := reflect.ValueOf(cfg).Field(i).Interface(); !reflect.DeepEqual(f.Interface(), want) {
			t.Errorf(".Site.%s = %v, want %v", name, f.Interface(), want)
		}
	}
}
