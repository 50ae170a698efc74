package llm

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

// Provider is the kind of endpoint.
type Provider string

// The kinds of endpoint.
const (
	// ProviderNone: nothing is configured.
	ProviderNone Provider = ""
	// ProviderAzure: Azure OpenAI, by deployment, with a key or Entra ID.
	ProviderAzure Provider = "azure"
	// ProviderOpenAI: the OpenAI API.
	ProviderOpenAI Provider = "openai"
	// ProviderCompatible: any server speaking the OpenAI chat completions
	// API at OPENAI_BASE_URL (Ollama, vLLM, llama.cpp).
	ProviderCompatible Provider = "openai-compatible"
)

// The environment variables [LoadConfig] reads.
const (
	EnvAzureEndpoint   = "AZURE_OPENAI_ENDPOINT"
	EnvAzureDeployment = "AZURE_OPENAI_CHAT_DEPLOYMENT"
	EnvAzureAPIVersion = "AZURE_OPENAI_API_VERSION"
	EnvAzureAPIKey     = "AZURE_OPENAI_API_KEY"
	EnvOpenAIAPIKey    = "OPENAI_API_KEY"
	EnvOpenAIModel     = "OPENAI_MODEL"
	EnvOpenAIBaseURL   = "OPENAI_BASE_URL"
	// EnvTimeout is the per-call timeout, a Go duration ("90s").
	EnvTimeout = "LLM_TIMEOUT"
	// EnvMaxRetries is how many times a call is retried on 429 or 5xx.
	EnvMaxRetries = "LLM_MAX_RETRIES"
)

// Defaults.
const (
	DefaultAzureAPIVersion = "2024-10-21"
	DefaultOpenAIBaseURL   = "https://api.openai.com/v1/"
	DefaultTimeout         = 2 * time.Minute
	// AzureScope is the Entra ID scope of Azure OpenAI.
	AzureScope = "https://cognitiveservices.azure.com/.default"
)

// RetryPolicy bounds the retries on 429 and 5xx. A Retry-After (or
// retry-after-ms) header sets the wait; without one the wait doubles from
// BaseDelay, with jitter. No wait exceeds MaxDelay and the waits add up to
// at most MaxTotal: a server asking for more is not retried.
type RetryPolicy struct {
	MaxRetries int
	BaseDelay  time.Duration
	MaxDelay   time.Duration
	MaxTotal   time.Duration
}

// DefaultRetryPolicy is the policy [LoadConfig] sets.
var DefaultRetryPolicy = RetryPolicy{
	MaxRetries: 3,
	BaseDelay:  500 * time.Millisecond,
	MaxDelay:   30 * time.Second,
	MaxTotal:   60 * time.Second,
}

// Config says which endpoint to use and how. [LoadConfig] fills it from the
// environment; tests may build one directly.
type Config struct {
	Provider Provider
	// Endpoint is the Azure endpoint (https://NAME.openai.azure.com) or
	// the base URL of the OpenAI-compatible server, ending in /v1.
	Endpoint   string
	Deployment string // Azure
	APIVersion string // Azure
	Model      string // OpenAI and compatible servers
	// APIKey is a secret: Config's String method hides it.
	APIKey string
	// Credential is used for Azure when APIKey is empty; nil means
	// azidentity's DefaultAzureCredential (managed identity included).
	Credential azcore.TokenCredential
	// Timeout bounds one Chat or ChatStream call, retries included.
	Timeout time.Duration
	Retry   RetryPolicy
	// HTTPClient is used for the requests; nil means a new http.Client.
	HTTPClient *http.Client
	// Logger gets one line per retry (status and wait, never contents or
	// keys); nil means no logging.
	Logger *slog.Logger
}

// Configured reports whether c names an endpoint.
func (c Config) Configured() bool { return c.Provider != ProviderNone }

// String describes c without its key.
func (c Config) String() string {
	key := "none"
	if c.APIKey != "" {
		key = "set"
	}
	switch c.Provider {
	case ProviderNone:
		return "llm: not configured"
	case ProviderAzure:
		return fmt.Sprintf("llm: azure endpoint=%s deployment=%s api-version=%s key=%s", c.Endpoint, c.Deployment, c.APIVersion, key)
	default:
		return fmt.Sprintf("llm: %s endpoint=%s model=%s key=%s", c.Provider, c.Endpoint, c.Model, key)
	}
}

// GoString is String, so that %#v does not print the key.
func (c Config) GoString() string { return c.String() }

// LogValue is String, so that slog does not print the key.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// LoadConfig reads the configuration through getenv (os.Getenv in the
// service, a map in tests). The first of these that is set chooses the
// endpoint:
//
//   - AZURE_OPENAI_ENDPOINT: Azure OpenAI; AZURE_OPENAI_CHAT_DEPLOYMENT is
//     required, AZURE_OPENAI_API_VERSION defaults to
//     [DefaultAzureAPIVersion], AZURE_OPENAI_API_KEY is the key, and
//     without one Entra ID is used (DefaultAzureCredential).
//   - OPENAI_BASE_URL: an OpenAI-compatible server; OPENAI_MODEL is
//     required, OPENAI_API_KEY optional.
//   - OPENAI_API_KEY: OpenAI; OPENAI_MODEL is required.
//
// With none of them (nor any other variable above) set, it returns a Config
// whose Configured is false and no error. LLM_TIMEOUT and LLM_MAX_RETRIES
// tune all three. Errors are of kind [KindConfig] and name the variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	c := Config{Timeout: DefaultTimeout, Retry: DefaultRetryPolicy}
	switch {
	case get(EnvAzureEndpoint) != "":
		c.Provider = ProviderAzure
		c.Endpoint = get(EnvAzureEndpoint)
		c.Deployment = get(EnvAzureDeployment)
		c.APIVersion = get(EnvAzureAPIVersion)
		c.APIKey = get(EnvAzureAPIKey)
		if c.Deployment == "" {
			return Config{}, configError(EnvAzureDeployment, "must be set with %s", EnvAzureEndpoint)
		}
		if c.APIVersion == "" {
			c.APIVersion = DefaultAzureAPIVersion
		}
	case get(EnvOpenAIBaseURL) != "":
		c.Provider = ProviderCompatible
		c.Endpoint = get(EnvOpenAIBaseURL)
		c.Model = get(EnvOpenAIModel)
		c.APIKey = get(EnvOpenAIAPIKey)
		if c.Model == "" {
			return Config{}, configError(EnvOpenAIModel, "must be set with %s", EnvOpenAIBaseURL)
		}
	case get(EnvOpenAIAPIKey) != "":
		c.Provider = ProviderOpenAI
		c.Endpoint = DefaultOpenAIBaseURL
		c.Model = get(EnvOpenAIModel)
		c.APIKey = get(EnvOpenAIAPIKey)
		if c.Model == "" {
			return Config{}, configError(EnvOpenAIModel, "must be set with %s", EnvOpenAIAPIKey)
		}
	default:
		// A stray variable of one endpoint is a mistake, not "off".
		for _, v := range []struct{ name, needs string }{
			{EnvAzureDeployment, EnvAzureEndpoint},
			{EnvAzureAPIKey, EnvAzureEndpoint},
			{EnvAzureAPIVersion, EnvAzureEndpoint},
			{EnvOpenAIModel, EnvOpenAIAPIKey + " or " + EnvOpenAIBaseURL},
		} {
			if get(v.name) != "" {
				return Config{}, configError(v.needs, "must be set when %s is", v.name)
			}
		}
		return Config{}, nil
	}
	if s := get(EnvTimeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return Config{}, configError(EnvTimeout, "must be a positive duration such as 90s")
		}
		c.Timeout = d
	}
	if s := get(EnvMaxRetries); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 10 {
			return Config{}, configError(EnvMaxRetries, "must be a whole number from 0 to 10")
		}
		c.Retry.MaxRetries = n
	}
	if err := c.validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// validate checks what New needs; errors name the variable.
func (c Config) validate() error {
	switch c.Provider {
	case ProviderNone:
		return &Error{Kind: KindConfig, Err: ErrNotConfigured, Detail: "no model endpoint is configured"}
	case ProviderAzure:
		u, err := parseEndpoint(EnvAzureEndpoint, c.Endpoint)
		if err != nil {
			return err
		}
		if u.Scheme != "https" && !isLoopback(u) {
			return configError(EnvAzureEndpoint, "must be https (plain http only for a loopback test server)")
		}
		if c.Deployment == "" {
			return configError(EnvAzureDeployment, "is empty")
		}
		if strings.ContainsAny(c.Deployment, "/?#% ") {
			return configError(EnvAzureDeployment, "is not a deployment name")
		}
		if c.APIVersion == "" {
			return configError(EnvAzureAPIVersion, "is empty")
		}
	case ProviderOpenAI, ProviderCompatible:
		if _, err := parseEndpoint(EnvOpenAIBaseURL, c.Endpoint); err != nil {
			return err
		}
		if c.Model == "" {
			return configError(EnvOpenAIModel, "is empty")
		}
		if c.Provider == ProviderOpenAI && c.APIKey == "" {
			return configError(EnvOpenAIAPIKey, "is empty")
		}
	default:
		return &Error{Kind: KindConfig, Detail: fmt.Sprintf("unknown provider %q", string(c.Provider))}
	}
	if c.Timeout < 0 {
		return configError(EnvTimeout, "is negative")
	}
	if c.Retry.MaxRetries < 0 {
		return configError(EnvMaxRetries, "is negative")
	}
	return nil
}

// parseEndpoint checks an http(s) URL without user info, query or fragment
// (the text of the URL is never repeated: it may hold a secret).
func parseEndpoint(variable, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, configError(variable, "must be an http or https URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, configError(variable, "must not hold user info, a query or a fragment")
	}
	return u, nil
}

// isLoopback reports whether u's host is localhost or a loopback address.
func isLoopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
