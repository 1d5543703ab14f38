{{/* The name of every object: the release name unless fullnameOverride is set. */}}
{{- define "vigil.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride -}}
{{- end -}}

{{/* Labels of every object; the DaemonSet selects its pods by them. */}}
{{- define "vigil.labels" -}}
app.kubernetes.io/name: vigil
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
