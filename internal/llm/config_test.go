package llm_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/contoso/contoso-mcp/internal/llm"
)

func TestLoadConfig(t *testing.T) {
	const key = "key-SECRET-123"
	tests := []struct {
		name    string
		env     map[string]string
		want    llm.Config // Provider, Endpoint, Deployment, APIVersion, Model, APIKey, Timeout compared
		wantVar string     // a configuration error naming it
	}{
		{name: "nothing", env: map[string]string{}, want: llm.Config{}},
		{name: "blank values are unset", env: map[string]string{"OPENAI_API_KEY": "  ", "AZURE_OPENAI_ENDPOINT": ""}, want: llm.Config{}},
		{name: "azure with key", env: map[string]string{
			"AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com", "AZURE_OPENAI_CHAT_DEPLOYMENT": "gpt-4o", "AZURE_OPENAI_API_KEY": key,
		}, want: llm.Config{Provider: llm.ProviderAzure, Endpoint: "https://contoso.openai.azure.com", Deployment: "gpt-4o",
			APIVersion: llm.DefaultAzureAPIVersion, APIKey: key, Timeout: llm.DefaultTimeout}},
		{name: "azure entra id and api version", env: map[string]string{
			"AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com/", "AZURE_OPENAI_CHAT_DEPLOYMENT": "gpt-4o",
			"AZURE_OPENAI_API_VERSION": "2025-04-01-preview", "LLM_TIMEOUT": "45s",
		}, want: llm.Config{Provider: llm.ProviderAzure, Endpoint: "https://contoso.openai.azure.com/", Deployment: "gpt-4o",
			APIVersion: "2025-04-01-preview", Timeout: 45 * time.Second}},
		{name: "azure wins over openai", env: map[string]string{
			"AZURE_OPENAI_ENDPOINT": "https://contoso.openai.azure.com", "AZURE_OPENAI_CHAT_DEPLOYMENT": "d", "OPENAI_API_KEY": key, "OPENAI_MODEL": "m",
		}, want: llm.Config{Provider: llm.ProviderAzure, Endpoint: "https://contoso.openai.azure.com", Deployment: "d",
			APIVersion: llm.DefaultAzureAPIVersion, Timeout: llm.DefaultTimeout}},
		{name: "openai", env: map[string]string{"OPENAI_API_KEY": key, "OPENAI_MODEL": "gpt-4.1"},
			want: llm.Config{Provider: llm.ProviderOpenAI, Endpoint: llm.DefaultOpenAIBaseURL, Model: "gpt-4.1", APIKey: key, Timeout: llm.DefaultTimeout}},
		{name: "ollama", env: map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_MODEL": "llama3.1"},
			want: llm.Config{Provider: llm.ProviderCompatible, Endpoint: "http://localhost:11434/v1", Model: "llama3.1", Timeout: llm.DefaultTimeout}},
		{name: "vllm on another host over http", env: map[string]string{"OPENAI_BASE_URL": "http://vllm.internal:8000/v1", "OPENAI_MODEL": "qwen", "OPENAI_API_KEY": key},
			want: llm.Config{Provider: llm.ProviderCompatible, Endpoint: "http://vllm.internal:8000/v1", Model: "qwen", APIKey: key, Timeout: llm.DefaultTimeout}},

		{name: "azure without deployment", env: map[string]string{"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com", "AZURE_OPENAI_API_KEY": key}, wantVar: "AZURE_OPENAI_CHAT_DEPLOYMENT"},
		{name: "azure deployment alone", env: map[string]string{"AZURE_OPENAI_CHAT_DEPLOYMENT": "d"}, wantVar: "AZURE_OPENAI_ENDPOINT"},
		{name: "azure key alone", env: map[string]string{"AZURE_OPENAI_API_KEY": key}, wantVar: "AZURE_OPENAI_ENDPOINT"},
		{name: "azure endpoint not a url", env: map[string]string{"AZURE_OPENAI_ENDPOINT": "contoso", "AZURE_OPENAI_CHAT_DEPLOYMENT": "d"}, wantVar: "AZURE_OPENAI_ENDPOINT"},
		{name: "azure over plain http", env: map[string]string{"AZURE_OPENAI_ENDPOINT": "http://contoso.openai.azure.com", "AZURE_OPENAI_CHAT_DEPLOYMENT": "d"}, wantVar: "AZURE_OPENAI_ENDPOINT"},
		{name: "azure endpoint with a key in the query", env: map[string]string{"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com/?api-key=" + key, "AZURE_OPENAI_CHAT_DEPLOYMENT": "d"}, wantVar: "AZURE_OPENAI_ENDPOINT"},
		{name: "azure deployment with a slash", env: map[string]string{"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com", "AZURE_OPENAI_CHAT_DEPLOYMENT": "a/b"}, wantVar: "AZURE_OPENAI_CHAT_DEPLOYMENT"},
		{name: "openai without model", env: map[string]string{"OPENAI_API_KEY": key}, wantVar: "OPENAI_MODEL"},
		{name: "base url without model", env: map[string]string{"OPENAI_BASE_URL": "http://localhost:8080/v1"}, wantVar: "OPENAI_MODEL"},
		{name: "model alone", env: map[string]string{"OPENAI_MODEL": "m"}, wantVar: "OPENAI_API_KEY or OPENAI_BASE_URL"},
		{name: "base url with user info", env: map[string]string{"OPENAI_BASE_URL": "http://me:" + key + "@localhost/v1", "OPENAI_MODEL": "m"}, wantVar: "OPENAI_BASE_URL"},
		{name: "base url ftp", env: map[string]string{"OPENAI_BASE_URL": "ftp://localhost/v1", "OPENAI_MODEL": "m"}, wantVar: "OPENAI_BASE_URL"},
		{name: "bad timeout", env: map[string]string{"OPENAI_API_KEY": key, "OPENAI_MODEL": "m", "LLM_TIMEOUT": "soon"}, wantVar: "LLM_TIMEOUT"},
		{name: "negative timeout", env: map[string]string{"OPENAI_API_KEY": key, "OPENAI_MODEL": "m", "LLM_TIMEOUT": "-1s"}, wantVar: "LLM_TIMEOUT"},
		{name: "bad retries", env: map[string]string{"OPENAI_API_KEY": key, "OPENAI_MODEL": "m", "LLM_MAX_RETRIES": "99"}, wantVar: "LLM_MAX_RETRIES"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := llm.LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantVar != "" {
				var e *llm.Error
				if !errors.As(err, &e) || e.Kind != llm.KindConfig || e.Variable != tt.wantVar || !errors.Is(err, llm.ErrConfig) {
					t.Fatalf("err = %v, want a configuration error naming %s", err, tt.wantVar)
				}
				if !strings.Contains(err.Error(), tt.wantVar) || strings.Contains(err.Error(), "SECRET") {
					t.Errorf("error text %q: must name %s and hide the key", err, tt.wantVar)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got.Configured() != (tt.want.Provider != llm.ProviderNone) {
				t.Errorf("Configured() = %v", got.Configured())
			}
			if got.Provider != tt.want.Provider || got.Endpoint != tt.want.Endpoint || got.Deployment != tt.want.Deployment ||
				got.APIVersion != tt.want.APIVersion || got.Model != tt.want.Model || got.APIKey != tt.want.APIKey || got.Timeout != tt.want.Timeout {
				t.Errorf("config = %+v\nwant     %+v", got, tt.want)
			}
			if got.Configured() && got.Retry != llm.DefaultRetryPolicy {
				t.Errorf("retry = %+v", got.Retry)
			}
			for _, s := range []string{fmt.Sprint(got), fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got)} {
				if strings.Contains(s, "SECRET") {
					t.Errorf("the config prints its key: %s", s)
				}
			}
		})
	}
}

func TestNewNotConfigured(t *testing.T) {
	cfg, err := llm.LoadConfig(func(string) string { return "" })
	if err != nil || cfg.Configured() {
		t.Fatalf("cfg=%v err=%v", cfg, err)
	}
	c, err := llm.New(cfg)
	if c != nil || !errors.Is(err, llm.ErrNotConfigured) || !errors.Is(err, llm.ErrConfig) {
		t.Fatalf("New = %v, %v; want ErrNotConfigured", c, err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     llm.Config
		wantVar string
	}{
		{name: "azure empty api version", cfg: llm.Config{Provider: llm.ProviderAzure, Endpoint: "https://x.openai.azure.com", Deployment: "d"}, wantVar: "AZURE_OPENAI_API_VERSION"},
		{name: "openai without key", cfg: llm.Config{Provider: llm.ProviderOpenAI, Endpoint: llm.DefaultOpenAIBaseURL, Model: "m"}, wantVar: "OPENAI_API_KEY"},
		{name: "compatible without model", cfg: llm.Config{Provider: llm.ProviderCompatible, Endpoint: "http://localhost/v1"}, wantVar: "OPENAI_MODEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := llm.New(tt.cfg)
			var e *llm.Error
			if !errors.As(err, &e) || e.Kind != llm.KindConfig || e.Variable != tt.wantVar {
				t.Fatalf("err = %v, want a configuration error naming %s", err, tt.wantVar)
			}
		})
	}
}
