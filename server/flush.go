package main

import "net/http"

// Flush lets server-sent events through the request log as they come.
func (r *statusRecorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}
